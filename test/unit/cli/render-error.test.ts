import { describe, expect, it } from 'vitest';
import { EXIT, InternalError, TargetUnreachableError, UsageError } from '../../../src/core/errors.js';
import { renderError } from '../../../src/cli/render-error.js';
import type { CliIO } from '../../../src/cli/io.js';
import { ReferenceConfigError } from '../../../src/reference/config-error.js';

function fakeIO(env: NodeJS.ProcessEnv = {}): CliIO & { err: () => string } {
  const err: string[] = [];
  return {
    env,
    err: () => err.join(''),
    stdout: { write: () => true },
    stderr: { write: (t: string) => err.push(t) },
    onSignal: () => () => {},
  };
}

describe('renderError', () => {
  it('an unexpected error is a bug: exit 70 with a "please report" line, never 3', () => {
    for (const err of [new Error('boom'), new TypeError('x is undefined'), 'a string', new InternalError('invariant broken')]) {
      const io = fakeIO();
      expect(renderError(err, io)).toBe(70);
      expect(io.err()).toMatch(/^idemaudit: internal error \(E_INTERNAL\): /);
      expect(io.err()).toContain('please report it');
      expect(io.err()).not.toContain('    at '); // no stack unless asked for
    }
    expect(EXIT.internal).toBe(70);
  });

  it('prints the stack with IDEMAUDIT_DEBUG=1', () => {
    const io = fakeIO({ IDEMAUDIT_DEBUG: '1' });
    expect(renderError(new Error('boom'), io)).toBe(70);
    expect(io.err()).toContain('    at ');
  });

  it('typed errors keep their own exit code and print no report line', () => {
    const usage = fakeIO();
    expect(renderError(new UsageError('bad flag', 'try --help'), usage)).toBe(2);
    expect(usage.err()).toBe('idemaudit: bad flag\n  hint: try --help\n');
    const unreachable = fakeIO();
    expect(renderError(new TargetUnreachableError('http://127.0.0.1:9', 'connection refused'), unreachable)).toBe(3);
    expect(unreachable.err()).not.toContain('report');
  });

  it("the reference library's option errors are usage errors", () => {
    const io = fakeIO();
    expect(renderError(new ReferenceConfigError('retentionMs must be a positive integer, got 0'), io)).toBe(2);
    expect(io.err()).toBe('idemaudit: retentionMs must be a positive integer, got 0\n');
  });
});
