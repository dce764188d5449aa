// `target: self`: the demo server on a loopback port with the scenario's `self:` settings.
import { startReferenceServer } from './app/server.js';

export interface SelfTargetSettings {
  leaseMs?: number | undefined;
  processingMs?: number | undefined;
}

export async function startSelfTarget(settings: SelfTargetSettings): Promise<{ url: string; close(): Promise<void> }> {
  const server = await startReferenceServer({
    port: 0,
    host: '127.0.0.1',
    ...(settings.leaseMs !== undefined ? { leaseMs: settings.leaseMs } : {}),
    ...(settings.processingMs !== undefined ? { processingMs: settings.processingMs } : {}),
  });
  return { url: server.url, close: () => server.close() };
}
