// `target: self`: the demo server on a loopback port with the scenario's `self:` settings.
import { startReferenceServer } from './app/server.js';

export interface SelfTargetSettings {
  leaseMs?: number | undefined;
  processingMs?: number | undefined;
  /** Service B the payment route calls (the scenario's first `downstream:` recorder). */
  downstream?: string | undefined;
}

export async function startSelfTarget(settings: SelfTargetSettings): Promise<{ url: string; close(): Promise<void> }> {
  const server = await startReferenceServer({
    port: 0,
    host: '127.0.0.1',
    // The audit of `target: self` reads the ledger and drives the outage switch.
    admin: true,
    ...(settings.leaseMs !== undefined ? { leaseMs: settings.leaseMs } : {}),
    ...(settings.processingMs !== undefined ? { processingMs: settings.processingMs } : {}),
    ...(settings.downstream !== undefined ? { downstream: settings.downstream } : {}),
  });
  return { url: server.url, close: () => server.close() };
}
