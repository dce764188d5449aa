// The recorder keeps header names only ("values may be credentials"); a recorded call's path may carry
// the app's own credential to its dependency in the query (`?api_key=...`): `idemaudit downstream`
// prints it and the downstream-* checks keep it in facts.calls[].path, both with credential-named query
// parameters redacted, like the proxy's fault lines.
import { describe, expect, it } from 'vitest';
import { formatCall } from '../../../src/cli/commands/downstream.js';
import { formatEvent } from '../../../src/cli/commands/proxy.js';
import { callFact } from '../../../src/checks/downstream/calls.js';
import { Redactor } from '../../../src/report/redact.js';
import type { RecordedCall } from '../../../src/downstream/index.js';

const call: RecordedCall = {
  seq: 1,
  method: 'POST',
  path: '/charges?api_key=sk-live-s3cret',
  key: 'k-1',
  correlationId: 'c-1',
  headers: {},
  headerNames: ['idempotency-key'],
  bodySha256: '0'.repeat(64),
  bodyBytes: 2,
  arrivedAt: Date.now(),
  answer: 201,
};

describe('a recorded call whose path carries a credential query parameter', () => {
  it('the fault line redacts it (control)', () => {
    expect(formatEvent({ fault: 'error-after-upstream', method: 'POST', path: call.path, at: Date.now() })).not.toContain('sk-live-s3cret');
  });
  it('idemaudit downstream prints it redacted too', () => {
    expect(formatCall(call)).not.toContain('sk-live-s3cret');
  });
  it('a report fact keeps it redacted', () => {
    expect(JSON.stringify(new Redactor().value({ calls: [callFact(call)] }))).not.toContain('sk-live-s3cret');
  });
});
