// `npm run bench` entry point: the reference server benchmark, then the load generator against
// autocannon. Each writes its own results file (RESULTS.md, LOAD-RESULTS.md) beside this one.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

for (const script of ['reference.mjs', 'load-vs-autocannon.mjs']) {
  const { status } = spawnSync(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
