// Pack the package as `npm pack` would publish it, into a temporary folder; returns the tarball path.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './cli.js';

export const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * `prepare` (the build) runs unless `ignoreScripts`: tests that only need some tarball skip it,
 * so two test files never run tsc over dist/ at the same time as other tests read it.
 */
export function pack(destination: string, opts: { ignoreScripts?: boolean } = {}): { tarball: string; files: string[] } {
  const out = execFileSync(NPM, ['pack', '--json', '--pack-destination', destination, ...(opts.ignoreScripts ? ['--ignore-scripts'] : [])], {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' },
  });
  // With scripts, the build's own output may precede the JSON array.
  const info = JSON.parse(out.slice(out.indexOf('[\n'))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { tarball: path.join(destination, info[0]!.filename), files: info[0]!.files.map((f) => f.path) };
}

/** Install `spec` with npm into `prefix`, from the local npm cache where it can. */
export function npmInstall(args: string[], cwd: string): void {
  execFileSync(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', ...args], {
    cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' },
  });
}
