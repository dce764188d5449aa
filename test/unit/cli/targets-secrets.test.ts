// Instance URLs in error messages: `--targets` errors (commander's own messages, not renderError) and the
// scenario rule for a URL listed twice never echo a password or a credential query value.
import { describe, expect, it } from 'vitest';
import { targetsFlag } from '../../../src/cli/targets-flag.js';
import { targetsProblems } from '../../../src/scenario/targets-rules.js';

const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  return '';
};

describe('instance URLs in error messages', () => {
  it('--targets never echoes a password', () => {
    expect(messageOf(() => targetsFlag('eu=ftp://alice:s3cretpass@127.0.0.1:1'))).not.toBe('');
    expect(messageOf(() => targetsFlag('eu=ftp://alice:s3cretpass@127.0.0.1:1'))).not.toContain('s3cretpass');
    expect(messageOf(() => targetsFlag('eu:https://alice:s3cretpass@127.0.0.1:1'))).not.toContain('s3cretpass');
  });

  it('a URL listed twice never echoes a credential query value', () => {
    const problems = targetsProblems({
      target: 'http://127.0.0.1:4000',
      targets: { eu: 'https://eu.example/?access_token=tok-s3cret', us: 'https://eu.example/?access_token=tok-s3cret' },
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).not.toContain('tok-s3cret');
  });

  it("'self' beside a remote target names the target without its credentials", () => {
    const [problem] = targetsProblems({ target: 'https://alice:pw-s3cret@api.example/v1?access_token=tok-s3cret', targets: { eu: 'self' } });
    expect(problem!.message).toContain('but target is "https://api.example/v1"');
    expect(problem!.message).not.toMatch(/s3cret|alice/);
  });

  // URL parsers take the last '@': a password holding an unencoded '@' never leaves its tail.
  it('--targets: a password with an unencoded @ is redacted whole', () => {
    const m = messageOf(() => targetsFlag('eu=ftp://alice:p4ss@w0rd-s3cret@127.0.0.1:1'));
    expect(m).not.toBe('');
    expect(m).not.toContain('w0rd-s3cret');
  });

  it("targets rules: 'self' beside a remote target that does not parse, its password holding an @", () => {
    const [p] = targetsProblems({ target: 'https://alice:p4ss@w0rd-s3cret@api.example:99999/v1', targets: { eu: 'self' } });
    expect(p!.message).not.toContain('w0rd-s3cret');
  });
});
