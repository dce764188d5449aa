// Shards of one load run (`--shard i/n`) before `report --merge` adds them up: every shard present
// exactly once, all of the same run (same seed, executor, shard count, target rate and duration).
// A missing or foreign shard would make the merged figures silently wrong, so it is a usage error.
import { UsageError } from '../core/errors.js';
import type { Report } from './model.js';

/** Throws UsageError when the sharded load runs among `reports` are incomplete or incompatible. */
export function checkShards(reports: Report[]): void {
  const endpoints = new Set(reports.flatMap((r) => Object.keys(r.load ?? {})));
  for (const endpoint of endpoints) {
    const runs = reports.flatMap((r) => {
      const l = r.load?.[endpoint];
      return l ? [{ r, l }] : [];
    });
    const sharded = runs.filter((x) => x.l.shard);
    if (sharded.length === 0) continue;
    const hint = 'merge the reports of all shards of one run (same --seed, --shard i/n for i = 0..n-1), and only those';
    if (sharded.length !== runs.length) {
      throw new UsageError(`load ${endpoint}: ${runs.length - sharded.length} of ${runs.length} reports are not shards of a sharded run`, hint);
    }
    const count = sharded[0]!.l.shard!.count;
    const differ = (what: string, f: (x: (typeof sharded)[number]) => unknown): void => {
      const values = new Set(sharded.map((x) => JSON.stringify(f(x) ?? null)));
      if (values.size > 1) throw new UsageError(`load ${endpoint}: the shards differ in ${what} (${[...values].join(' vs ')}): they are not one run`, hint);
    };
    differ('shard count', (x) => x.l.shard!.count);
    differ('seed', (x) => x.r.seed);
    differ('executor', (x) => x.l.executor);
    differ('target rate', (x) => x.l.targetRate);
    differ('planned duration', (x) => x.l.durationMs);
    const seen = new Map<number, number>();
    for (const x of sharded) seen.set(x.l.shard!.index, (seen.get(x.l.shard!.index) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1).map(([i]) => `${i}/${count}`);
    if (twice.length > 0) throw new UsageError(`load ${endpoint}: shard ${twice.join(', ')} given more than once`, hint);
    const missing = Array.from({ length: count }, (_, i) => i)
      .filter((i) => !seen.has(i))
      .map((i) => `${i}/${count}`);
    if (missing.length > 0) throw new UsageError(`load ${endpoint}: shard ${missing.join(', ')} missing (${sharded.length} of ${count} given)`, hint);
    const prefixes = new Set(sharded.map((x) => x.l.shard!.keyPrefix));
    if (prefixes.size !== sharded.length) throw new UsageError(`load ${endpoint}: two shards used the same key prefix: their key spaces overlap`, hint);
  }
}
