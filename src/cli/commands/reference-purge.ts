// `idemaudit reference purge`: delete expired idempotency keys from the PostgreSQL store in bounded
// batches (for a cron job when the servers run with the in-process purge off).
import type { CliIO } from '../io.js';
import { openPostgresStore } from './postgres-store.js';

export interface PurgeFlags {
  databaseUrl?: string;
  schema: string;
  batchSize: number;
  maxBatches: number;
}

export async function referencePurgeCommand(flags: PurgeFlags, io: CliIO): Promise<number> {
  const store = await openPostgresStore(flags.databaseUrl, flags.schema, {
    purgeIntervalMs: 0,
    purgeBatchSize: flags.batchSize,
    purgeMaxBatches: flags.maxBatches,
  });
  try {
    const result = await store.purgeExpired();
    io.stdout.write(
      `purged ${result.deleted} expired key${result.deleted === 1 ? '' : 's'} from schema ${flags.schema} in ${result.batches} batch${result.batches === 1 ? '' : 'es'}` +
        `${result.truncated ? ` (stopped at --max-batches ${flags.maxBatches}; expired keys may remain, run it again)` : ''}\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
