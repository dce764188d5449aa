// Fabricated exchanges for pure verdict tests.
import type { Exchange } from '../../src/core/exchange.js';

let seq = 0;

export interface FakeExchange {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  error?: string;
  label?: string;
  key?: string;
  tenant?: string;
}

export function ex(f: FakeExchange): Exchange {
  seq += 1;
  const e: Exchange = {
    seq,
    label: f.label ?? `req ${seq}`,
    endpoint: 'create-payment',
    request: { method: 'POST', url: 'http://127.0.0.1:1/payments', headers: { authorization: 'Bearer secret-token' } },
    startedAt: seq,
    durationMs: 1.5,
  };
  if (f.key) e.key = f.key;
  if (f.tenant) e.tenant = f.tenant;
  if (f.error) e.error = f.error;
  else {
    const body = f.body === undefined ? Buffer.alloc(0) : Buffer.from(typeof f.body === 'string' ? f.body : JSON.stringify(f.body));
    e.response = { status: f.status ?? 200, headers: { 'content-type': 'application/json', ...(f.headers ?? {}) }, body };
  }
  return e;
}

export const replayHeaders = { 'idempotent-replayed': 'true' };
