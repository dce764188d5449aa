import { describe, expect, it } from 'vitest';
import type { ExchangeRecord } from '../../../src/core/exchange.js';
import { reproduction, secretVar } from '../../../src/report/curl.js';

const rec = (label: string, body?: string): ExchangeRecord => ({
  seq: 1,
  label,
  endpoint: 'e',
  startedAt: 0,
  durationMs: 1,
  request: {
    method: 'POST',
    url: "http://127.0.0.1:4000/payments?x=it's",
    headers: { authorization: '[REDACTED]', 'content-type': 'application/json', 'idempotency-key': '"k1"' },
    ...(body !== undefined ? { body } : {}),
  },
});

describe('curl reproduction', () => {
  it('quotes safely and turns redacted headers into environment variables', () => {
    const [cmd] = reproduction([rec('original', `{"note":"it's"}`)], false);
    expect(cmd).toBe(
      `curl -sS -i -X POST 'http://127.0.0.1:4000/payments?x=it'\\''s' -H "authorization: \${IDEMAUDIT_AUTHORIZATION}" -H 'content-type: application/json' -H 'idempotency-key: "k1"' --data-binary '{"note":"it'\\''s"}'`,
    );
    expect(secretVar('X-Api-Key')).toBe('IDEMAUDIT_X_API_KEY');
  });

  it('sends concurrent copies in one parallel invocation and leaves oracle traffic out', () => {
    const cmds = reproduction([rec('copy 1', '{}'), rec('copy 2', '{}'), rec('ledger')], true);
    expect(cmds).toHaveLength(1);
    expect(cmds[0]).toContain('--parallel --parallel-immediate --parallel-max 2');
    expect(cmds[0]!.split(' --next ')).toHaveLength(2);
  });
});
