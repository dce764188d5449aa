// Opening the PostgreSQL store for `serve --store postgres` and `reference purge`: the URL is
// required, and an unreachable database is exit 3 with a message that never shows the URL (it may
// carry a password).
import { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from '../../reference/store/postgres/index.js';
import { EXIT, IdemauditError, UsageError } from '../../core/errors.js';

export class StoreUnreachableError extends IdemauditError {
  override readonly name = 'StoreUnreachableError';
  constructor(reason: string) {
    super(
      'E_STORE_UNREACHABLE',
      `PostgreSQL is unreachable or refused the store's statements: ${reason}`,
      EXIT.unreachable,
      'check --database-url (postgres://user@host:5432/db) and that the user may create the schema, or run its migrations yourself',
    );
  }
}

function withoutSecrets(message: string, url: string): string {
  const password = (() => {
    try {
      return decodeURIComponent(new URL(url).password);
    } catch {
      return '';
    }
  })();
  const redacted = message.split(url).join('<database-url>');
  return password ? redacted.split(password).join('***') : redacted;
}

/** A migrated store, or a UsageError (no URL) / StoreUnreachableError (cannot connect or migrate). */
export async function openPostgresStore(url: string | undefined, schema: string, options: Partial<PostgresStoreOptions> = {}): Promise<PostgresStore> {
  if (!url)
    throw new UsageError(
      '--database-url is required for the PostgreSQL store',
      'e.g. --database-url postgres://postgres@127.0.0.1:5432/app (or set DATABASE_URL)',
    );
  try {
    new URL(url);
  } catch {
    throw new UsageError('--database-url is not a URL', 'e.g. postgres://user@127.0.0.1:5432/app');
  }
  let store: PostgresStore;
  try {
    store = createPostgresStore({ connectionString: url, schema, ...options });
  } catch (error) {
    throw new UsageError(withoutSecrets((error as Error).message, url));
  }
  try {
    await store.ready();
  } catch (error) {
    await store.close();
    throw new StoreUnreachableError(withoutSecrets(error instanceof Error ? error.message : String(error), url));
  }
  return store;
}
