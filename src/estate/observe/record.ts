// One observed request, whatever the source format. Credentials and bodies are hashed by the
// analyzer as soon as it sees them and never kept or printed in clear.
export interface TrafficRecord {
  /** Epoch milliseconds. */
  time: number;
  method: string;
  /** The path without query string. */
  path: string;
  status?: number;
  key?: string;
  /** Client version label (User-Agent product token or a named header). */
  client?: string;
  /** Anything identifying the caller (Authorization, API key id); hashed, never printed. */
  credential?: string;
  /** The request body as text (hashed), when the source has it. */
  body?: string;
}

export type RecordSink = (record: TrafficRecord) => void;

/** What a source reports besides records. */
export interface SourceStats {
  /** Lines or entries that could not be read. */
  malformed: number;
  /** 1-based line numbers (or entry numbers) of the first malformed ones. */
  malformedAt: number[];
  bytes: number;
}

export const newSourceStats = (): SourceStats => ({ malformed: 0, malformedAt: [], bytes: 0 });

export function noteMalformed(stats: SourceStats, at: number): void {
  stats.malformed += 1;
  if (stats.malformedAt.length < 5) stats.malformedAt.push(at);
}

const ISO_UTC = /^(\d{4}-\d\d-\d\dT\d\d:\d\d):(\d\d(?:\.\d+)?)Z$/;
let minuteText = '';
let minuteMs = Number.NaN;

/** Epoch ms from an ISO date, epoch seconds or epoch milliseconds; NaN when unreadable. */
export function parseTime(value: unknown): number {
  if (typeof value === 'number') return value < 1e11 ? value * 1000 : value;
  if (typeof value !== 'string') return Number.NaN;
  // Log lines come in time order: the minute repeats, so only the seconds need parsing.
  const iso = ISO_UTC.exec(value);
  if (iso && Number(iso[2]) < 61) {
    if (iso[1] !== minuteText) {
      minuteText = iso[1]!;
      minuteMs = Date.parse(`${minuteText}:00Z`);
    }
    return minuteMs + Math.round(Number(iso[2]) * 1000);
  }
  if (/^\d+(\.\d+)?$/.test(value)) return parseTime(Number(value));
  // Other ISO forms (offsets); nginx $time_local (10/Oct/2026:13:55:36 +0000) is not supported.
  return Date.parse(value);
}

/** The path of a request target (absolute URL or origin form), without query or fragment. */
export function pathOf(target: string): string {
  let t = target;
  const scheme = t.indexOf('://');
  if (scheme > 0 && scheme < 10) {
    const slash = t.indexOf('/', scheme + 3);
    t = slash < 0 ? '/' : t.slice(slash);
  }
  const q = t.search(/[?#]/);
  return q < 0 ? t : t.slice(0, q);
}
