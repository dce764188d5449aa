// Waiting inside a check: resolves after `ms`, or early (without throwing) when the run is aborted,
// so a Ctrl-C during a long wait (expiry) ends the check at once. Callers test `signal.aborted`.
import { setTimeout as delay } from 'node:timers/promises';

/** Resolves true after `ms`, false as soon as `signal` aborts (immediately if it already has). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  if (ms <= 0) return true;
  try {
    await delay(ms, undefined, signal ? { signal } : {});
    return true;
  } catch (err) {
    if (signal?.aborted) return false;
    throw err;
  }
}
