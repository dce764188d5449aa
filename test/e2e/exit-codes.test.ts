// Exit codes fixed by issue 11 (items 5 and 6), through the built binary.
import { describe, expect, it } from 'vitest';
import { runCli, startServe } from '../helpers/cli.js';

describe('exit codes', () => {
  it('an internal error exits 70 with a "please report" line, not 3', async () => {
    const r = await runCli(['list', 'checks'], { env: { IDEMAUDIT_TEST_INTERNAL_ERROR: '1' } });
    expect(r.code).toBe(70);
    expect(r.stderr).toContain('idemaudit: internal error (E_INTERNAL): simulated internal error');
    expect(r.stderr).toContain('please report it');
    expect(r.stderr).not.toContain('    at ');
    expect(r.stdout).toBe('');
  });

  it('--max-requests 0 is a usage error (it used to mean "no cap")', async () => {
    for (const args of [
      ['load', 'http://127.0.0.1:9/payments'],
      ['run', 'scenarios/reference.yaml'],
    ]) {
      const r = await runCli([...args, '--max-requests', '0']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('expected a whole number >= 1');
    }
  });

  it('serve takes the scenario duration syntax (--ttl 7d) and rejects a zero retention as usage', async () => {
    const server = await startServe(['--ttl', '7d', '--lease', '1.5s', '--log-level', 'silent']);
    await server.stop();
    const r = await runCli(['serve', '--port', '0', '--ttl', '0', '--log-level', 'silent'], { timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^idemaudit: .*retention.*got 0/m);
  });
});
