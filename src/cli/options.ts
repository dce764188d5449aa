// Parsers for flag values shared by several commands; they throw UsageError (exit 2).
import { InvalidArgumentError } from 'commander';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import type { Level } from '../checks/api.js';

export const list = (value: string, previous: string[] = []): string[] =>
  [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0');
  return n;
}

export function level(value: string): Level {
  if (value === 'violation' || value === 'deviation') return value;
  throw new InvalidArgumentError("expected 'violation' or 'deviation'");
}

/** "30s", "250ms", "24h", "5m" or plain milliseconds. */
export function duration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a duration such as 250ms, 30s, 5m or 24h');
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms']!;
  return Math.round(Number(m[1]) * factor);
}

/** A curl-like body flag: the text itself, or @file to read it from a file. */
export async function readBodyFlag(value: string | undefined): Promise<string | undefined> {
  if (value === undefined || !value.startsWith('@')) return value;
  try {
    return await readFile(value.slice(1), 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the body file ${value.slice(1)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
