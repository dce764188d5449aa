// An in-memory CliIO: what main() wrote to stdout and stderr, with an injectable environment.
import type { CliIO } from '../../src/cli/io.js';

export function fakeIO(env: NodeJS.ProcessEnv = {}): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env,
    onSignal: () => () => {},
    out: () => out,
    err: () => err,
  };
}
