// `idemaudit proxy` in-process: it prints where it listens, injects the faults it was given,
// and closes on SIGINT/SIGTERM, with a fake io standing in for the process.
import { describe, expect, it } from 'vitest';
import { proxyCommand } from '../../../src/cli/commands/proxy.js';
import type { CliIO } from '../../../src/cli/io.js';
import { UsageError } from '../../../src/core/errors.js';
import { eventually, send, startUpstream } from './helpers.js';

function fakeIO() {
  let out = '';
  const handlers = new Set<(signal: NodeJS.Signals) => void>();
  const io: CliIO = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: () => true },
    env: {},
    onSignal(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
  return {
    io,
    get out() {
      return out;
    },
    get listening() {
      return handlers.size;
    },
    signal: (s: NodeJS.Signals) => [...handlers].forEach((h) => h(s)),
  };
}

describe('proxyCommand', () => {
  it('listens, injects its faults, and closes on a signal', async () => {
    const upstream = await startUpstream();
    const fake = fakeIO();
    try {
      const exit = proxyCommand(
        { upstream: upstream.url, listen: 0, host: '127.0.0.1', fault: ['gateway-status,status=504,path=/payments'], seed: 'cli' },
        fake.io,
      );
      await eventually(() => fake.listening === 1);
      const m = /^fault proxy listening on (http:\/\/127\.0\.0\.1:\d+) -> (\S+) \(faults: (.*)\)$/m.exec(fake.out);
      expect(m).not.toBeNull();
      const [, url, target, faults] = m!;
      expect(target).toBe(upstream.url);
      expect(faults).toBe('gateway-status,status=504,path=/payments');
      expect(fake.out).toContain('seed cli');

      const faulted = await send(`${url}/payments`, { body: '{}', headers: { 'idempotency-key': 'k9' } });
      expect(faulted.status).toBe(504);
      const passed = await send(`${url}/other`, { body: '{}' });
      expect(passed.status).toBe(201);
      expect(upstream.hits).toBe(2);
      expect(fake.out).toContain('fault gateway-status POST /payments key=k9 upstream=201');

      fake.signal('SIGINT');
      expect(await exit).toBe(0);
      expect(fake.listening).toBe(0);
      expect(fake.out).toContain('2 requests: 1 transparent, 0 proxy errors; gateway-status injected 1, passed 0');
      // Closed: nothing listens on the port any more.
      expect((await send(`${url}/payments`, { body: '{}' })).error).toBe('ECONNREFUSED');
    } finally {
      await upstream.close();
    }
  });

  it('rejects a bad --fault before listening', async () => {
    const fake = fakeIO();
    await expect(proxyCommand({ upstream: 'http://127.0.0.1:1', listen: 0, host: '127.0.0.1', fault: ['latency'] }, fake.io)).rejects.toThrow(UsageError);
    expect(fake.out).toBe('');
    expect(fake.listening).toBe(0);
  });

  it('turns a taken port into a UsageError with a hint', async () => {
    const upstream = await startUpstream();
    const port = Number(new URL(upstream.url).port);
    try {
      const err = await proxyCommand({ upstream: upstream.url, listen: port, host: '127.0.0.1', fault: [] }, fakeIO().io).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toContain('EADDRINUSE');
      expect((err as UsageError).hint).toContain('--listen');
    } finally {
      await upstream.close();
    }
  });

  it('rejects an upstream that is not an http URL', async () => {
    await expect(proxyCommand({ upstream: 'ftp://x', listen: 0, host: '127.0.0.1', fault: [] }, fakeIO().io)).rejects.toThrow(/http or https/);
  });
});
