// Exchanges built from load flights for samples and duplicate evidence: off the hot path (only
// for the few requests that are sampled or prove something wrong).
import type { Exchange } from '../../core/exchange.js';
import { flattenHeaders } from '../client.js';
import { describeNetError } from '../net-error.js';
import { Flight, type Tracked } from './flight.js';
import { isTimeout } from './outcomes.js';
import type { Transport } from './transport.js';
import type { LoadRequestTemplate } from './types.js';

export interface EvidenceContext {
  template: LoadRequestTemplate;
  transport: Transport;
  timeoutMs: number;
  /** Run-clock time the run started at (exchanges carry times relative to it). */
  origin: number;
}

const LABELS = { fresh: 'load: fresh key', replay: 'load: replay', inflight: 'load: in-flight duplicate' } as const;

export function flightExchange(c: EvidenceContext, f: Flight, end: number): Exchange {
  const e: Exchange = {
    seq: f.slot + 1,
    label: LABELS[f.kind],
    endpoint: c.template.endpoint,
    key: f.key,
    request: { method: c.template.method, url: c.transport.url, headers: c.transport.requestHeaders(f) },
    startedAt: f.sentAt - c.origin,
    durationMs: end - f.sentAt,
  };
  if (c.template.tenant) e.tenant = c.template.tenant;
  if (f.requestBody) e.request.body = f.requestBody;
  if (f.error) e.error = isTimeout(f.error) ? `timeout after ${c.timeoutMs} ms` : describeNetError(f.error);
  else e.response = { status: f.status, headers: rawToRecord(f.rawHeaders), body: Buffer.from(f.body ?? Buffer.alloc(0)) };
  return e;
}

export function trackedExchange(c: EvidenceContext, t: Tracked, sink: Flight['sink']): Exchange {
  const probe = new Flight(sink, t.slot, 'fresh', t.key, t.requestBody, 0, false);
  const e: Exchange = {
    seq: t.slot + 1,
    label: 'load: original',
    endpoint: c.template.endpoint,
    key: t.key,
    request: { method: c.template.method, url: c.transport.url, headers: c.transport.requestHeaders(probe) },
    response: { status: t.status, headers: rawToRecord(t.rawHeaders), body: t.body },
    startedAt: t.sentAt - c.origin,
    durationMs: t.durationMs,
  };
  if (c.template.tenant) e.tenant = c.template.tenant;
  if (t.requestBody) e.request.body = t.requestBody;
  return e;
}

export function rawToRecord(raw: Buffer[] | undefined): Record<string, string> {
  if (!raw) return {};
  const obj: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    const prev = obj[name];
    obj[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return flattenHeaders(obj);
}

export function statusRecord(counts: Uint32Array): Record<string, number> {
  const out: Record<string, number> = {};
  counts.forEach((n, status) => {
    if (n > 0) out[String(status)] = n;
  });
  return out;
}
