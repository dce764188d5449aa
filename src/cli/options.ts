// Parsers for flag values shared by several commands; they throw UsageError (exit 2).
import { InvalidArgumentError } from 'commander';
import { readFile } from 'node:fs/promises';
import { DURATION_EXAMPLES, parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import type { Level } from '../checks/api.js';

export const list = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

/** A count that must be at least 1, where 0 would otherwise read as "no limit" or do nothing. */
export function atLeastOne(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
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

/** The scenario's duration syntax ("250ms", "30s", "5m", "24h", "7d"), or plain milliseconds. */
export function duration(value: string): number {
  const text = value.trim();
  const ms = /^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text)) : parseDuration(text);
  if (ms === undefined) throw new InvalidArgumentError(`expected a duration such as ${DURATION_EXAMPLES}`);
  return ms;
}

/** A race window: a duration with a unit, more than 0 and at most a minute (fractions of a ms kept). */
export function raceWindow(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(value.trim());
  const ms = m ? Number(m[1]) * (m[2] === 's' ? 1_000 : 1) : NaN;
  if (!(ms > 0 && ms <= 60_000)) throw new InvalidArgumentError('expected a duration above 0 and at most 60s, with its unit, such as 1ms, 0.5ms or 2s');
  return ms;
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
