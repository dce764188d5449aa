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
  it('an https target trusts the certificate as the run did: --cacert with the CA file, -k with a comment when verification was off', () => {
    const https = { ...rec('original', '{}'), request: { ...rec('original', '{}').request, url: 'https://127.0.0.1:4443/payments' } };
    const [withCa] = reproduction([https], false, { ca: 'PEM', caFile: "/tmp/my ca's.pem" });
    expect(withCa).toMatch(/^curl -sS -i --cacert '\/tmp\/my ca'\\''s\.pem' -X POST 'https:\/\/127\.0\.0\.1:4443\/payments'/);
    const [pemOnly] = reproduction([https], false, { ca: 'PEM' });
    expect(pemOnly).toContain('-i --cacert "${IDEMAUDIT_CA_FILE}" -X POST');
    const [insecure] = reproduction([https], false, { insecure: true });
    expect(insecure).toMatch(/^curl -sS -i -k -X POST .* # -k: the audit ran with --insecure \(TLS certificate not verified\)$/);
    // Concurrent copies: each transfer gets -k (options before --next apply to one transfer), one comment.
    const [parallel] = reproduction([https, https], true, { insecure: true });
    expect(parallel!.match(/ -i -k /g)).toHaveLength(2);
    expect(parallel!.match(/# -k:/g)).toHaveLength(1);
    // Plain http and runs without TLS settings are unchanged.
    expect(reproduction([rec('original', '{}')], false, { insecure: true, caFile: '/x.pem' })[0]).toBe(reproduction([rec('original', '{}')], false)[0]);
    expect(reproduction([https], false)[0]).toContain('curl -sS -i -X POST');
  });

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
