#!/usr/bin/env bash
# Stability check (issue 11): runs the whole suite N times (default 5) while two CPU-bound busy loops
# compete for the cores, and prints pass/fail per run. Usage: bash test/stress.sh [N]
# Builds once first; the busy loops are killed on exit, however the script ends.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
busy=()
cleanup() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
}
trap cleanup EXIT INT TERM

npm run build --silent || { echo "stress: build failed" >&2; exit 1; }
for _ in 1 2; do
  node -e 'for(;;){}' &
  busy+=("$!")
done
echo "stress: ${runs} runs of the whole suite beside 2 busy loops (pids ${busy[*]})"

passed=0
for i in $(seq 1 "$runs"); do
  log="$(mktemp -t idemaudit-stress-XXXXXX.log)"
  start=$SECONDS
  if npx vitest run >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "run $i/$runs: pass ($((SECONDS - start)) s; $(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +Tests ' | tr -s ' '))"
    rm -f "$log"
  else
    echo "run $i/$runs: FAIL ($((SECONDS - start)) s; log $log)"
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ *(FAIL|×)|Tests ' | head -20
  fi
done
echo "stress: ${passed}/${runs} runs passed"
[[ "$passed" -eq "$runs" ]]
