// A password holding an unencoded '@' (URL parsers take the last '@') never leaves its tail in --targets
// errors or in the targets rules' messages.
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

describe('userinfo with an unencoded @ in the password', () => {
  it('--targets: not an http(s) URL', () => {
    const m = messageOf(() => targetsFlag('eu=ftp://alice:p4ss@w0rd-s3cret@127.0.0.1:1'));
    expect(m).not.toBe('');
    expect(m).not.toContain('w0rd-s3cret');
  });
  it("targets rules: 'self' beside a remote target that does not parse", () => {
    const [p] = targetsProblems({ target: 'https://alice:p4ss@w0rd-s3cret@api.example:99999/v1', targets: { eu: 'self' } });
    expect(p!.message).not.toContain('w0rd-s3cret');
  });
});
