// Hop-by-hop headers (RFC 9110 section 7.6.1) describe one connection, not the message: a proxy
// must not pass them on. Everything else crosses the proxy untouched, in order and with repeats.

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Names listed in a Connection header are hop-by-hop for that message too. */
function connectionTokens(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    text
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

/**
 * Request headers for the upstream as a flat [name, value, ...] list from node's rawHeaders.
 * Host goes too (the upstream gets its own), and Expect, which undici refuses: node:http already
 * answered any 100-continue.
 */
export function filterRequestHeaders(rawHeaders: readonly string[]): string[] {
  let connection: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'connection') connection = `${connection ?? ''},${rawHeaders[i + 1]}`;
  }
  const listed = connectionTokens(connection);
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || listed.has(lower) || lower === 'host' || lower === 'expect') continue;
    out.push(name, rawHeaders[i + 1]!);
  }
  return out;
}

/** Response headers for the client, without hop-by-hop ones; node:http frames the body itself. */
export function filterResponseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const listed = connectionTokens(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || listed.has(lower)) continue;
    out[lower] = value;
  }
  return out;
}

/** The Idempotency-Key header exactly as received (first one if repeated). */
export function idempotencyKeyOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers['idempotency-key'];
  return Array.isArray(value) ? value[0] : value;
}
