// Pack the package as `npm pack` would publish it, into a temporary folder; returns the tarball path.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './cli.js';

export const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * Packs the current dist/ with `--ignore-scripts`: a real `npm pack` runs `prepack`, which deletes
 * and rebuilds dist/ and would pull it from under the other test files running at the same time.
 * (`npm test` builds first; the pack test checks that dist/ holds nothing stale.)
 */
export function pack(destination: string): { tarball: string; files: string[] } {
  const out = execFileSync(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  const info = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { tarball: path.join(destination, info[0]!.filename), files: info[0]!.files.map((f) => f.path) };
}

/** Install `spec` with npm into `prefix`, from the local npm cache where it can. */
export function npmInstall(args: string[], cwd: string): void {
  execFileSync(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' },
  });
}
