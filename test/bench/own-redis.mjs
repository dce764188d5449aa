// A redis-server of a benchmark's own on a free port, no persistence, killed when the process exits:
// the benches never touch the shared server (the peers' keys carry no prefix of ours). One copy for
// every bench (peers, peers-core, redis-clients, reference, profile).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts one and waits (up to 100 PINGs 50 ms apart) until it answers; { url, pid, client, stop }. */
export async function startOwnRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), 'idemaudit-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  process.once('exit', () => child.kill('SIGKILL'));
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  client.on('error', () => {});
  for (let i = 0; i < 100; i++) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch {
      await sleep(50);
    }
  }
  if (client.status !== 'ready') throw new Error(`redis-server on ${port} did not start`);
  return {
    url,
    pid: child.pid,
    /** An admin connection (FLUSHALL, INFO); closed by stop(). */
    client,
    stop: async () => {
      client.disconnect();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
