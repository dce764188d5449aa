// Which burst a run sends (GUIDE section 2, concurrent duplicates): HTTP/2 single-packet where the
// target speaks HTTP/2, HTTP/1.1 last-byte sync otherwise. `auto` asks the target once per origin:
// an https origin that negotiates h2 over ALPN gets single-packet bursts; a plain http origin gets
// last-byte bursts unless the scenario says it speaks h2c (`mode: h2-single-packet`).
import net from 'node:net';
import tls from 'node:tls';
import { burst, type BurstItem, type BurstOptions } from './burst.js';
import { tlsConnectOptions, type TlsOptions } from './client.js';
import { h2Burst } from './h2-burst.js';
import type { Exchange } from '../core/exchange.js';

export type BurstMode = 'h1-last-byte' | 'h2-single-packet';
export type BurstModeSetting = BurstMode | 'auto';

/** The ALPN protocol an https origin picks from h2 and http/1.1; undefined when it cannot be asked. */
export async function negotiatedProtocol(origin: string, timeoutMs: number, tlsOpts?: TlsOptions): Promise<string | undefined> {
  const url = new URL(origin);
  if (url.protocol !== 'https:') return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port: Number(url.port) || 443,
      ALPNProtocols: ['h2', 'http/1.1'],
      ...(net.isIP(host) ? {} : { servername: host }),
      ...tlsConnectOptions(tlsOpts),
    });
    const done = (protocol: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(protocol);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once('secureConnect', () => done(socket.alpnProtocol || undefined));
    socket.once('error', () => done(undefined));
  });
}

/** Resolves `auto` for one origin (asked once, then cached by the caller). */
export async function resolveBurstMode(setting: BurstModeSetting, origin: string, timeoutMs: number, tlsOpts?: TlsOptions): Promise<BurstMode> {
  if (setting !== 'auto') return setting;
  return (await negotiatedProtocol(origin, timeoutMs, tlsOpts)) === 'h2' ? 'h2-single-packet' : 'h1-last-byte';
}

export interface ModalBurstResult {
  exchanges: Exchange[];
  mode: BurstMode;
  /** TCP segments of the single-packet release (h2 only). */
  segments?: number;
}

/** One burst in the given mode. */
export async function burstIn(mode: BurstMode, items: BurstItem[], opts: BurstOptions): Promise<ModalBurstResult> {
  if (mode === 'h2-single-packet') {
    const r = await h2Burst(items, opts);
    return { exchanges: r.exchanges, mode, segments: r.segments };
  }
  return { exchanges: await burst(items, opts), mode };
}
