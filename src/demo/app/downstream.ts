// Service A calling service B: with `serve --downstream <url>`, executing a payment charges it at B
// (POST <url>/charges) before the demo records its own side effect. The key B sees is a stable
// derivation of the client's key, so every attempt of one logical request carries the same one and B
// can dedupe: SHA-256 (hex) of "<tenant>\n<client key>" (scoped to the tenant, and the client's key
// is not handed to a third party). The correlation id (X-Request-Id) is forwarded, or made up when
// the client sent none. Two flaws break it: `downstream-no-key` sends no key, `downstream-fresh-key`
// a fresh UUID per attempt (which is the same as none).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { singleHeader } from '../../reference/layer/headers.js';
import { sha256Hex } from '../../reference/layer/hash.js';

export type DownstreamKeying = 'stable' | 'none' | 'fresh';

export interface DownstreamSettings {
  /** Base URL of service B. */
  url: string;
  keying: DownstreamKeying;
  /** How long A waits for B before it answers 502 (default 10000). */
  timeoutMs?: number;
}

/** The key A sends to B for this client key and tenant (the documented, stable derivation). */
export function downstreamKeyOf(tenant: string, clientKey: string): string {
  return sha256Hex(`${tenant}\n${clientKey}`);
}

export type DownstreamOutcome = { ok: true; status: number } | { ok: false; detail: string };

export async function chargeDownstream(
  settings: DownstreamSettings,
  req: IncomingMessage,
  call: { tenant: string; clientKey: string | null; body: Record<string, unknown> },
): Promise<DownstreamOutcome> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-request-id': singleHeader(req.headers, 'x-request-id') ?? randomUUID(),
  };
  if (settings.keying === 'fresh') headers['idempotency-key'] = randomUUID();
  else if (settings.keying === 'stable' && call.clientKey !== null) headers['idempotency-key'] = downstreamKeyOf(call.tenant, call.clientKey);
  try {
    const res = await fetch(`${settings.url.replace(/\/+$/, '')}/charges`, {
      method: 'POST',
      headers,
      body: JSON.stringify(call.body),
      signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000),
    });
    await res.arrayBuffer();
    return res.ok ? { ok: true, status: res.status } : { ok: false, detail: `the payment processor answered ${res.status}` };
  } catch (err) {
    return { ok: false, detail: `the payment processor did not answer (${err instanceof Error ? err.message : String(err)})` };
  }
}
