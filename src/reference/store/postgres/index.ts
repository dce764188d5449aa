export {
  ClaimLostError,
  createPostgresStore,
  NoActiveClaimError,
  POSTGRES_DEFAULTS,
  PostgresStore,
  type PostgresStoreOptions,
  type PurgeResult,
  type RouteStorage,
} from './store.js';
export { migrate, migrations, migrationsDirectory, type Migration, type Queryable } from './migrate.js';
