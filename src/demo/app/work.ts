// Simulated processing time. The side effect is recorded only after it, so an in-flight window of
// `processingMs` is observable from outside. A client that disconnects during the wait is treated
// as the worker dying with its connection: the handler aborts before the side effect and the layer
// leaves the claim for its lease to expire (what the in-flight-recovery check measures).
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbandonedRequestError } from '../../reference/layer/abandoned.js';

export async function simulateWork(ms: number, res: ServerResponse, abandonOnDisconnect: boolean): Promise<void> {
  if (!abandonOnDisconnect) {
    if (ms > 0) await sleep(ms);
    return;
  }
  if (res.destroyed) throw new AbandonedRequestError('client disconnected before processing');
  // No wait, so no 'close' can arrive meanwhile: the check above is the whole story.
  if (!(ms > 0)) return;
  const disconnected = new AbortController();
  const onClose = (): void => disconnected.abort();
  res.once('close', onClose);
  try {
    if (ms > 0) await sleep(ms, undefined, { signal: disconnected.signal });
  } catch {
    throw new AbandonedRequestError('client disconnected mid-flight');
  } finally {
    res.off('close', onClose);
  }
  if (disconnected.signal.aborted || res.destroyed) throw new AbandonedRequestError('client disconnected mid-flight');
}
