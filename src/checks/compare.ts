// Pure comparisons of responses shared by several checks.
import type { Exchange } from '../core/exchange.js';
import { jsonBody } from '../core/exchange.js';
import { removeAtPointer } from '../core/json-pointer.js';

export { REPLAY_MARKERS, isMarkedReplay, replayMarker } from '../core/replay-marker.js';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export type BodyComparison = 'identical' | 'equivalent' | 'different';

/**
 * identical: same bytes; equivalent: same JSON once `ignore` pointers are removed (key order and
 * whitespace do not matter); different: anything else.
 */
export function compareBodies(a: Exchange, b: Exchange, ignore: string[] = []): BodyComparison {
  if (!a.response || !b.response) return 'different';
  // Bodies over the cap are known only by size and hash.
  if (a.response.truncated || b.response.truncated) {
    return a.response.truncated?.sha256 !== undefined && a.response.truncated.sha256 === b.response.truncated?.sha256 ? 'identical' : 'different';
  }
  if (a.response.body.equals(b.response.body)) return 'identical';
  const ja = jsonBody(a);
  const jb = jsonBody(b);
  if (ja === undefined || jb === undefined) return 'different';
  for (const p of ignore) {
    removeAtPointer(ja, p);
    removeAtPointer(jb, p);
  }
  return canonical(ja) === canonical(jb) ? 'equivalent' : 'different';
}

/** "201×1, 409×7" */
export function statusTally(exchanges: Exchange[]): string {
  const tally = new Map<string, number>();
  for (const e of exchanges) {
    const s = e.response ? String(e.response.status) : (e.error ?? 'no response');
    tally.set(s, (tally.get(s) ?? 0) + 1);
  }
  return [...tally].map(([s, n]) => `${s}×${n}`).join(', ');
}

export const is5xx = (e: Exchange): boolean => !!e.response && e.response.status >= 500;
export const is4xx = (e: Exchange): boolean => !!e.response && e.response.status >= 400 && e.response.status < 500;
