// `target: self`: the demo server on a loopback port with the scenario's `self:` settings. Further
// instances (scenario `targets:` entries `self`) share its store, as two instances of one API behind a
// load balancer share one Redis: a key claimed through one is seen through the other.
import { MemoryStore } from '../reference/store/memory.js';
import { startReferenceServer } from './app/server.js';

export interface SelfTargetSettings {
  leaseMs?: number | undefined;
  processingMs?: number | undefined;
  /** Service B the payment route calls (the scenario's first `downstream:` recorder). */
  downstream?: string | undefined;
}

export interface SelfTarget {
  url: string;
  close(): Promise<void>;
  peer(): Promise<SelfTarget>;
}

export async function startSelfTarget(settings: SelfTargetSettings): Promise<SelfTarget> {
  // One store for every instance, closed after the last of them.
  const store = new MemoryStore();
  const start = () =>
    startReferenceServer({
      port: 0,
      host: '127.0.0.1',
      store,
      // The audit of `target: self` reads the ledger and drives the outage switch.
      admin: true,
      ...(settings.leaseMs !== undefined ? { leaseMs: settings.leaseMs } : {}),
      ...(settings.processingMs !== undefined ? { processingMs: settings.processingMs } : {}),
      ...(settings.downstream !== undefined ? { downstream: settings.downstream } : {}),
    });
  const first = await start();
  const peers: Array<Awaited<ReturnType<typeof start>>> = [];
  const peer = async (): Promise<SelfTarget> => {
    const server = await start();
    peers.push(server);
    return { url: server.url, close: () => server.close(), peer };
  };
  return {
    url: first.url,
    peer,
    close: async () => {
      await Promise.all(peers.map((p) => p.close()));
      await first.close();
      await store.close();
    },
  };
}
