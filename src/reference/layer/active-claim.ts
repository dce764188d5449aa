// The claim the current handler runs under, visible to code called from the handler (through
// AsyncLocalStorage), so a SQL-backed handler can complete its key inside its own transaction
// (PostgresStore.completeInTransaction). The layer sets it for claimed executions only.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { StoredResponse } from '../store/types.js';
import type { ResponseEnvelope } from './types.js';

export interface ActiveClaim {
  /** The scoped store key of the claim. */
  readonly key: string;
  /** Its fencing token. */
  readonly token: string;
  /** Retention the layer would give the result. */
  readonly retentionMs: number;
  /** The envelope as the layer would store it (allow-listed headers only). */
  toStored(response: ResponseEnvelope): StoredResponse;
  /** Set once the handler's transaction completed the key: the layer then does not complete it again. */
  completedInTransaction: boolean;
}

const storage = new AsyncLocalStorage<ActiveClaim>();

export function runWithClaim<T>(claim: ActiveClaim, run: () => T): T {
  return storage.run(claim, run);
}

/** The claim of the handler calling this, or undefined outside a claimed execution. */
export function activeClaim(): ActiveClaim | undefined {
  return storage.getStore();
}
