// `prepare`: compile src/ to dist/. npm runs it on `npm ci` here, on `npm pack`, and in the clone
// of a git install, which is how `npm install <git url>` gets a dist/. One npm bug is worked around:
// `npm install -g <git url>` runs prepare without installing the dev dependencies (npm/cli#8440),
// so when TypeScript is missing, install them into this folder first (never globally).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function run(command, args, env = process.env) {
  const r = spawnSync(command, args, { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const TSC = 'node_modules/typescript/bin/tsc';
if (!existsSync(TSC)) {
  // The global flags npm passes down would make this nested install global too.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_config_(global|location|prefix|omit|include)$/i.test(name)));
  const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
  console.error('idemaudit prepare: TypeScript is missing (npm install -g from git); installing the dev dependencies here');
  run(npm[0], [...npm[1], 'install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--include=dev', '--global=false'], env);
}
run(process.execPath, [TSC, '-p', 'tsconfig.json']);
