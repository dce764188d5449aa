// Waiting for an agreed wall-clock start (--start-at), so shards on several machines begin together.
// Bounded by the signal; a time in the past starts at once.

/** Resolves at `epochMs` (or at once if it has passed, or when the signal aborts). */
export function waitUntil(epochMs: number, signal: AbortSignal, now: () => number = Date.now): Promise<void> {
  const ms = epochMs - now();
  if (!(ms > 0) || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
