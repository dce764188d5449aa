// Redis for tests: the shared server on 127.0.0.1:6379 (requireRedis), throwaway servers and
// clusters of our own on free ports (startRedisServer, startRedisCluster), and key hygiene by
// prefix (every test writes under a unique prefix and deletes only what matches it).
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';

export const HOST = '127.0.0.1';
export const SHARED_REDIS_PORT = 6379;
export const SHARED_REDIS_URL = `redis://${HOST}:${SHARED_REDIS_PORT}`;

/** PINGs (POLL_MS apart) a throwaway redis-server gets to come up: counted, so a busy box only makes it slower. */
const START_ATTEMPTS = 200;
const POLL_MS = 25;
const OUTPUT_LIMIT = 8_192;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A key prefix no other test (or engineer) uses: `idemaudit-test:<label>:<pid>:<uuid>:`. */
export function uniquePrefix(label: string): string {
  return `idemaudit-test:${label}:${process.pid}:${randomUUID()}:`;
}

// ---------------------------------------------------------------------------------------------
// A minimal RESP exchange over a raw socket, so probing a server needs no client library.

/** Length of the first complete simple string, error, integer or bulk string reply in `buffer`, or -1. */
function replyLength(buffer: Buffer): number {
  const lineEnd = buffer.indexOf('\r\n');
  if (lineEnd < 0) return -1;
  if (buffer[0] !== 0x24 /* $ */) return lineEnd + 2;
  const size = Number(buffer.subarray(1, lineEnd).toString());
  if (size < 0) return lineEnd + 2;
  const total = lineEnd + 2 + size + 2;
  return buffer.length >= total ? total : -1;
}

/** Sends one command (inline form) to 127.0.0.1:`port` and resolves with the reply text. */
export function rawCommand(port: number, command: string, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    let received = Buffer.alloc(0);
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no reply to ${command} from ${HOST}:${port} within ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const length = replyLength(received);
      if (length >= 0) {
        socket.destroy();
        resolve(received.subarray(0, length).toString());
      }
    });
    socket.on('close', () => reject(new Error(`connection to ${HOST}:${port} closed before a full reply`)));
  });
}

async function pings(port: number, timeoutMs = 500): Promise<boolean> {
  try {
    return (await rawCommand(port, 'PING', timeoutMs)).startsWith('+PONG');
  } catch {
    return false;
  }
}

/** Throws (it does not skip) when the shared Redis on 127.0.0.1:6379 does not answer PING. */
/** PING attempts before the shared Redis counts as missing; a busy box can miss one or two. */
const READY_ATTEMPTS = 10;
const READY_PAUSE_MS = 200;

export async function requireRedis(): Promise<void> {
  for (let attempt = 1; attempt <= READY_ATTEMPTS; attempt++) {
    if (await pings(SHARED_REDIS_PORT, 1_000)) return;
    if (attempt < READY_ATTEMPTS) await sleep(READY_PAUSE_MS);
  }
  throw new Error(
    `Redis is not answering on ${HOST}:${SHARED_REDIS_PORT} (${READY_ATTEMPTS} PINGs); these tests need it. Start it with:\n` +
      `  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no`,
  );
}

// ---------------------------------------------------------------------------------------------
// Throwaway servers.

/** Every child we spawn, so that none outlives the test process even when a test forgets stop(). */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export interface RedisServerOptions {
  /** Port to bind; default a free one (retried if another process takes it first). */
  port?: number;
  /** Extra redis-server arguments, or a function of the chosen port. */
  args?: string[] | ((port: number) => string[]);
}

export interface RedisServer {
  host: string;
  port: number;
  url: string;
  /** Kills the server (SIGTERM, or SIGKILL to simulate a crash), waits for it to exit, removes its temp dir. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function spawnServer(port: number, extra: string[]): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'idemaudit-redis-'));
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir, ...extra];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const exited = waitForExit(child);
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    children.delete(child);
    await rm(dir, { recursive: true, force: true });
  };

  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) break;
    if (await pings(port, 200)) return { host: HOST, port, url: `redis://${HOST}:${port}`, stop };
    await sleep(POLL_MS);
  }
  await stop('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer ${START_ATTEMPTS} PINGs${spawnError ? ` (${spawnError.message})` : ''}:\n${output}`);
}

/** Starts `redis-server --port P --bind 127.0.0.1 --save "" --appendonly no` and resolves once it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? (await freePort());
    const extra = typeof options.args === 'function' ? options.args(port) : (options.args ?? []);
    try {
      return await spawnServer(port, extra);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

// ---------------------------------------------------------------------------------------------
// Throwaway clusters.

export interface RedisClusterHandle {
  nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function clusterStateOk(port: number): Promise<boolean> {
  try {
    return (await rawCommand(port, 'CLUSTER INFO', 500)).includes('cluster_state:ok');
  } catch {
    return false;
  }
}

/** Starts `size` (at least 3) cluster-enabled servers, joins them with redis-cli --cluster create, waits for cluster_state:ok everywhere. */
export async function startRedisCluster(size = 3): Promise<RedisClusterHandle> {
  if (size < 3) throw new Error('a Redis Cluster needs at least 3 masters');
  const configDir = await mkdtemp(join(tmpdir(), 'idemaudit-cluster-'));
  const servers: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
    await rm(configDir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      servers.push(
        await startRedisServer({
          args: (port) => ['--cluster-enabled', 'yes', '--cluster-config-file', join(configDir, `nodes-${port}.conf`), '--cluster-node-timeout', '5000'],
        }),
      );
    }
    const addresses = servers.map((server) => `${HOST}:${server.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], 30_000);
    const deadline = Date.now() + 15_000;
    let ok = false;
    while (!ok && Date.now() < deadline) {
      ok = (await Promise.all(servers.map((server) => clusterStateOk(server.port)))).every(Boolean);
      if (!ok) await sleep(50);
    }
    if (!ok) throw new Error(`cluster on ${addresses.join(', ')} did not reach cluster_state:ok`);
    return { nodes: servers.map((server) => ({ host: HOST, port: server.port })), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Keys by prefix (SCAN MATCH on our prefix only; never FLUSH).

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

const MAX_SCAN_ROUNDS = 100_000;

/** Every key under `prefix`, as raw bytes (record keys of malformed Unicode keys are not UTF-8). */
export async function keysByPrefix(client: Redis | Cluster, prefix: string): Promise<Buffer[]> {
  if (prefix.length === 0) throw new Error('refusing to scan without a prefix');
  const masters: Redis[] = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  const found: Buffer[] = [];
  for (const node of masters) {
    let cursor = '0';
    for (let round = 0; round < MAX_SCAN_ROUNDS; round++) {
      const [next, keys] = await node.scanBuffer(cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', 1000);
      found.push(...keys);
      cursor = next.toString();
      if (cursor === '0') break;
    }
  }
  return found;
}

/** Deletes the keys under `prefix` (and only those); resolves with how many were deleted. */
export async function deleteKeysByPrefix(client: Redis | Cluster, prefix: string): Promise<number> {
  const keys = await keysByPrefix(client, prefix);
  const deleted = await Promise.all(keys.map((key) => client.del(key)));
  return deleted.reduce((sum, n) => sum + n, 0);
}
