// Scrapes the target's Prometheus metrics for observability coverage (src/report/observability.ts
// judges them). A path is resolved on the target; a URL must pass the same host allowlist as the
// target. A failed scrape is recorded in the report, never a crash.
import { Agent, request } from 'undici';
import { tlsConnectOptions, type TlsOptions } from '../engine/client.js';

export function metricsUrl(metrics: string, baseUrl: string): string {
  return metrics.startsWith('/') ? `${baseUrl}${metrics}` : metrics;
}

export async function scrape(url: string, timeoutMs: number, signal?: AbortSignal, tls?: TlsOptions): Promise<string> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const dispatcher = new Agent({ connect: { timeout: timeoutMs, ...tlsConnectOptions(tls) } });
  try {
    const res = await request(url, {
      dispatcher,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headersTimeout: timeoutMs,
      headers: { accept: 'text/plain' },
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}`);
    return text;
  } finally {
    await dispatcher.destroy();
  }
}
