// Run counts for the fuzz suites. `npm test` keeps every fuzz file short (each property has its own
// small default); `FUZZ_RUNS=<n>` (the `fuzz` script sets 2000) runs every property n times instead.
// A failure prints fast-check's seed and path; `FUZZ_SEED=<seed> FUZZ_PATH=<path>` replays exactly it.
import type { Parameters } from 'fast-check';

function positiveInt(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

function integer(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(text)}`);
  return n;
}

/** FUZZ_RUNS when set, else the property's own default. */
export function fuzzRuns(defaultRuns: number): number {
  return positiveInt('FUZZ_RUNS') ?? defaultRuns;
}

/** Whether this is a long run (FUZZ_RUNS set): suites may then widen sizes a little. */
export const LONG_RUN = positiveInt('FUZZ_RUNS') !== undefined;

/** fc.assert parameters: the run count, plus the seed and path to replay when given. */
export function fuzzParams<T>(defaultRuns: number): Parameters<T> {
  const params: Parameters<T> = { numRuns: fuzzRuns(defaultRuns) };
  const seed = integer('FUZZ_SEED');
  if (seed !== undefined) params.seed = seed;
  const path = process.env.FUZZ_PATH;
  if (path) params.path = path;
  return params;
}

/**
 * vitest timeout for a property of `defaultRuns` runs that may take up to `perRunMs` each: the
 * default 30 s for `npm test`, scaled with FUZZ_RUNS for long runs.
 */
export function fuzzTimeout(defaultRuns: number, perRunMs: number): number {
  return Math.max(30_000, fuzzRuns(defaultRuns) * perRunMs);
}

/**
 * Per-case wall-clock budget of the scenario loader. Cases typically take a few ms; the budget only
 * catches super-linear blow-ups and hangs, with room for a loaded 2-core CI box (GC pauses, the
 * other test workers). FUZZ_CASE_MS overrides it.
 */
export const LOADER_CASE_BUDGET_MS = positiveInt('FUZZ_CASE_MS') ?? 200;
