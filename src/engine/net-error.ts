// Turn the many shapes of network errors (undici, node:http, DNS, TLS) into one short reason.

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connect timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers before the timeout',
  UND_ERR_BODY_TIMEOUT: 'response body stalled past the timeout',
  UND_ERR_SOCKET: 'socket closed by the other side',
  UND_ERR_ABORTED: 'aborted',
  ABORT_ERR: 'aborted',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
  EMFILE: 'too many open files: lower the concurrency or raise the limit (ulimit -n)',
  ENFILE: 'the system ran out of file descriptors: lower the concurrency',
  EADDRNOTAVAIL: 'no local port left for a new connection: lower the concurrency',
};

export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code in REASONS) return code;
    e = (e as { cause?: unknown }).cause;
  }
  const top = (err as { code?: unknown } | undefined)?.code;
  return typeof top === 'string' ? top : undefined;
}

export function describeNetError(err: unknown): string {
  const code = errorCode(err);
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  if (err instanceof Error && err.name === 'AbortError') return 'aborted';
  return err instanceof Error ? err.message : String(err);
}

/** Errors that mean the target cannot be reached at all, as opposed to a failed exchange. */
export function isUnreachable(err: unknown): boolean {
  const code = errorCode(err) ?? '';
  return (
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT'].includes(code) ||
    code.startsWith('CERT_') ||
    code.includes('SELF_SIGNED') ||
    code.includes('VERIFY') ||
    code.startsWith('ERR_TLS')
  );
}
