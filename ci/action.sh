#!/usr/bin/env bash
# The shell steps of the idemaudit GitHub Action (action.yml), kept here so they can be tested
# outside GitHub (test/e2e/action.test.ts). Three phases, one per step:
#
#   action.sh install   install the CLI (the given package, or one packed from the action's checkout)
#   action.sh run       run the audit; never fails the step, records the exit code and report paths
#   action.sh finish    fail the job with the audit's exit code, saying what it means
#
# Inputs arrive as environment variables (action.yml maps them): IDEMAUDIT_PACKAGE, IDEMAUDIT_BIN,
# INPUT_SCENARIO, INPUT_TARGET, INPUT_FAIL_ON, INPUT_REPORT_DIR, INPUT_FORMATS, INPUT_ENV_FILE,
# INPUT_ARGS, IDEMAUDIT_EXIT_CODE. Outputs go to $GITHUB_OUTPUT, the summary to $GITHUB_STEP_SUMMARY.
set -euo pipefail

absolute() { printf '%s/%s' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")"; }
say() { printf 'idemaudit-action: %s\n' "$*" >&2; }
output() { printf '%s=%s\n' "$1" "$2" >> "${GITHUB_OUTPUT:-/dev/null}"; }

install() {
  local prefix="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/idemaudit-cli"
  local package="${IDEMAUDIT_PACKAGE:-}"
  if [[ -z "$package" ]]; then
    # No package named: build and pack the action's own checkout (dev dependencies are needed to build).
    local source="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set and no package was given}"
    say "packing idemaudit from $source"
    (cd "$source" && npm ci --no-audit --no-fund >&2)
    package="$(cd "$source" && npm pack --silent --pack-destination "${RUNNER_TEMP:-${TMPDIR:-/tmp}}" | tail -n 1)"
    package="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/$package"
  fi
  say "installing $package into $prefix"
  npm install --global --prefix "$prefix" --no-audit --no-fund --prefer-offline "$package" >&2
  local bin="$prefix/bin/idemaudit"
  "$bin" --version >/dev/null
  [[ -n "${GITHUB_PATH:-}" ]] && printf '%s\n' "$prefix/bin" >> "$GITHUB_PATH"
  output bin "$bin"
  say "installed $("$bin" --version) at $bin"
}

run() {
  local bin="${IDEMAUDIT_BIN:-idemaudit}"
  local report_dir="${INPUT_REPORT_DIR:-idemaudit-reports}"
  local args=(run)
  [[ -n "${INPUT_SCENARIO:-}" ]] && args+=("$INPUT_SCENARIO")
  [[ -n "${INPUT_TARGET:-}" ]] && args+=(--target "$INPUT_TARGET")
  args+=(--report-dir "$report_dir" --format "${INPUT_FORMATS:-junit,sarif,html}" --fail-on "${INPUT_FAIL_ON:-deviation}")
  [[ -n "${INPUT_ENV_FILE:-}" ]] && args+=(--env-file "$INPUT_ENV_FILE")
  if [[ -n "${INPUT_ARGS:-}" ]]; then
    # Extra flags, split on whitespace (no shell quoting: values with spaces belong in the scenario).
    local extra
    read -r -a extra <<< "$INPUT_ARGS"
    args+=("${extra[@]}")
  fi

  local log code=0
  log="$(mktemp)"
  "$bin" "${args[@]}" | tee "$log" || code=${PIPESTATUS[0]}
  output exit-code "$code"
  mkdir -p "$report_dir"
  output report-dir "$(absolute "$report_dir")"

  # The CLI prints "report: a.json, a.junit.xml, ..." (GUIDE section 3); take the paths from there.
  local line json="" file
  line="$(grep -E '^report: ' "$log" | tail -n 1 || true)"
  rm -f "$log"
  IFS=',' read -r -a files <<< "${line#report: }"
  for file in "${files[@]}"; do
    file="${file# }"
    [[ -f "$file" ]] && file="$(absolute "$file")"
    case "$file" in
      *.history.jsonl | *.hgrm | '') ;;
      *.json) json="$file"; output json "$file" ;;
      *.junit.xml) output junit "$file" ;;
      *.sarif) output sarif "$file" ;;
      *.html) output html "$file" ;;
      *.md) output markdown "$file" ;;
    esac
  done

  if [[ -n "$json" && -f "$json" ]]; then
    local verdict
    verdict="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).summary.verdict)' "$json")"
    output verdict "$verdict"
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
      { printf '## idemaudit: %s (exit %s)\n\n' "$verdict" "$code"; "$bin" report "$json" --format md; } >> "$GITHUB_STEP_SUMMARY" || true
    fi
  else
    output verdict none
    say "no JSON report was written (exit $code); see the log above"
  fi
  say "audit finished with exit code $code"
}

finish() {
  local code="${IDEMAUDIT_EXIT_CODE:-}"
  case "$code" in
    0) say "passed"; exit 0 ;;
    1) say "findings at or above --fail-on (exit 1)" ;;
    2) say "usage or scenario error (exit 2)" ;;
    3) say "target unreachable or run aborted (exit 3)" ;;
    130) say "interrupted (exit 130)" ;;
    '') say "the run step recorded no exit code"; exit 2 ;;
    *) say "exit code $code" ;;
  esac
  exit "$code"
}

case "${1:-}" in
  install | run | finish) "$1" ;;
  *) echo "usage: $0 install|run|finish" >&2; exit 2 ;;
esac
