// Versioned SQL migrations of the PostgreSQL store: files `NNN_name.sql` in ./migrations, applied in
// order, each once, inside one transaction per run that holds an advisory lock on the schema (so
// servers starting together do not race), with search_path set to the store's schema. Applied
// versions are recorded in <schema>.idemaudit_schema_migrations.
//
// The files sit next to this module under src/ (vitest); from the compiled dist/ there is no
// ./migrations, so we walk up to the package root and use src/reference/store/postgres/migrations,
// which the package ships (like the Redis store's Lua files).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quoteIdent } from './text.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** What migrate() needs of a client: pg's Client or PoolClient. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

const SOURCE_DIR = join('src', 'reference', 'store', 'postgres', 'migrations');
const FILE = /^(\d{3})_([\w-]+)\.sql$/;
const MAX_PARENT_HOPS = 10;

export function migrationsDirectory(moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const candidates = [join(here, 'migrations')];
  for (let dir = here, hop = 0; hop < MAX_PARENT_HOPS; hop++) {
    if (existsSync(join(dir, 'package.json'))) candidates.push(join(dir, SOURCE_DIR));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const found = candidates.find((dir) => existsSync(dir) && readdirSync(dir).some((file) => FILE.test(file)));
  if (found === undefined) throw new Error(`PostgreSQL store: migrations not found; looked in ${candidates.join(', ')} (the package must ship src/**/*.sql)`);
  return found;
}

let cached: readonly Migration[] | undefined;

/** The migrations in version order, read once per process. */
export function migrations(): readonly Migration[] {
  if (cached === undefined) {
    const dir = migrationsDirectory();
    cached = readdirSync(dir)
      .flatMap((file) => {
        const match = FILE.exec(file);
        return match ? [{ version: Number(match[1]), name: match[2]!, sql: readFileSync(join(dir, file), 'utf8') }] : [];
      })
      .sort((a, b) => a.version - b.version);
  }
  return cached;
}

/** Applies the pending migrations to `schema` (created if missing); resolves with the versions applied now. */
export async function migrate(client: Queryable, schema: string): Promise<number[]> {
  const ident = quoteIdent(schema);
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    // Two servers migrating one schema at once: the second waits here, then finds nothing to do.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`idemaudit-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident}`);
    await client.query(`SET LOCAL search_path TO ${ident}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS idemaudit_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query('SELECT version FROM idemaudit_schema_migrations')).rows.map((row) => Number(row['version'])));
    for (const migration of migrations()) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO idemaudit_schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  return applied;
}
