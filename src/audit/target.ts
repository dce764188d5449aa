// Resolving and probing the target: "self" starts the embedded server the caller provides; anything else
// must answer HTTP (any status) before the audit starts, or the run stops with exit 3.
import { Agent, request } from 'undici';
import { TargetUnreachableError, UsageError } from '../core/errors.js';
import { HEALTH_PATH, parseHealth } from '../core/health.js';
import { tlsConnectOptions, type TlsOptions } from '../engine/client.js';
import { describeNetError } from '../engine/net-error.js';
import { readCapped, readSmallJson } from '../engine/read-capped.js';

export interface ResolvedTarget {
  baseUrl: string;
  /** Ledger URL when the target offers one (the reference server always does). */
  ledgerUrl?: string;
  /** Shown in reports: the URL, or "self (http://127.0.0.1:port)". */
  label: string;
  close(): Promise<void>;
  /** For `target: self`: another embedded instance sharing its store (see SelfServer.peer). */
  peer?(): Promise<SelfServer>;
}

/** Settings for the embedded server (the scenario's `self:`), ignored for other targets. */
export interface SelfSettings {
  leaseMs?: number | undefined;
  processingMs?: number | undefined;
  /** URL of the dependency the embedded server calls while it executes a payment (the scenario's first `downstream:`). */
  downstream?: string | undefined;
}

/** A server started for `target: self`, on a loopback port. */
export interface SelfServer {
  url: string;
  close(): Promise<void>;
  /** Starts another instance of the same API sharing this one's store (scenario `targets:` entries `self`); closed with this one. */
  peer?(): Promise<SelfServer>;
}

/**
 * Starts the embedded server for `target: self`. The audit does not know which server that is: the
 * CLI and the public entry point pass one in (the demo payments app of src/demo/).
 */
export type SelfTargetFactory = (settings: SelfSettings) => Promise<SelfServer>;

export async function resolveTarget(
  target: string,
  ledger: string | undefined,
  self: SelfSettings | undefined,
  startSelf: SelfTargetFactory | undefined,
): Promise<ResolvedTarget> {
  if (target === 'self') {
    if (!startSelf)
      throw new UsageError(
        'target: self needs an embedded server, and none was given',
        'pass startSelf to runAudit, or use runAudit from the idemaudit entry point, which starts the demo server',
      );
    const server = await startSelf(self ?? {});
    return {
      baseUrl: server.url,
      ledgerUrl: `${server.url}/_idemaudit/ledger`,
      label: `self (${server.url})`,
      close: () => server.close(),
      ...(server.peer ? { peer: () => server.peer!() } : {}),
    };
  }
  const baseUrl = target.replace(/\/+$/, '');
  const resolved: ResolvedTarget = { baseUrl, label: baseUrl, close: async () => {} };
  if (ledger) resolved.ledgerUrl = ledger.startsWith('/') ? `${baseUrl}${ledger}` : ledger;
  return resolved;
}

/** Any HTTP answer counts as reachable; connection, DNS, TLS failures and silence do not. */
export async function assertReachable(baseUrl: string, timeoutMs: number, signal?: AbortSignal, tls?: TlsOptions): Promise<void> {
  const timeout = AbortSignal.timeout(timeoutMs);
  // A private agent, closed at once: a pooled keep-alive socket would hold the process open.
  const dispatcher = new Agent({ connect: { timeout: timeoutMs, ...tlsConnectOptions(tls) } });
  try {
    const res = await request(baseUrl, {
      method: 'HEAD',
      dispatcher,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headersTimeout: timeoutMs,
    });
    // A HEAD answer has no body; a server that sends one anyway gets read no further than a few bytes.
    await readCapped(res.body, 0, 0);
  } catch (err) {
    if (signal?.aborted) return;
    const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : describeNetError(err);
    throw new TargetUnreachableError(baseUrl, reason, { cause: err });
  } finally {
    await dispatcher.destroy();
  }
}

/**
 * A target that is an idemaudit reference server (started with `idemaudit serve`) offers its ledger
 * as a third execution oracle. Asking costs one GET that any other API answers with a 404.
 */
export async function detectLedger(baseUrl: string, timeoutMs: number, signal?: AbortSignal, tls?: TlsOptions): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const dispatcher = new Agent({ connect: { timeout: timeoutMs, ...tlsConnectOptions(tls) } });
  try {
    const res = await request(`${baseUrl}${HEALTH_PATH}`, {
      dispatcher,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headersTimeout: timeoutMs,
    });
    // A health document is small: a target streaming an endless body is cut after AUX_BODY_BYTES.
    const doc = await readSmallJson(res.body);
    // A server whose admin routes are off says so (admin: false): it has no ledger to offer.
    if (res.statusCode !== 200 || (doc as { admin?: unknown } | undefined)?.admin === false) return undefined;
    return parseHealth(doc) ? `${baseUrl}/_idemaudit/ledger` : undefined;
  } catch {
    return undefined;
  } finally {
    await dispatcher.destroy();
  }
}
