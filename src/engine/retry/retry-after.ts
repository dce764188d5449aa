// Retry-After (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date. Recipients must accept all
// three date formats; anything else is ignored rather than guessed at (V8's Date.parse accepts
// far more than HTTP allows, e.g. "1.5").
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
const IMF_FIXDATE = new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`);
const RFC850 = new RegExp(`^${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`);

function parseHttpDate(text: string): number | undefined {
  let ms: number;
  if (IMF_FIXDATE.test(text)) ms = Date.parse(text);
  else if (RFC850.test(text)) {
    // Two-digit years: RFC 9110 asks for the nearest century within 50 years; V8 picks 19xx.
    const [, dd, mon, yy, time] = /, (\d{2})-(\w{3})-(\d{2}) (\S+) GMT$/.exec(text)!;
    const year = Number(yy) + (Number(yy) < 50 ? 2000 : 1900);
    ms = Date.parse(`${dd} ${mon} ${year} ${time} GMT`);
  } else if (ASCTIME.test(text)) {
    // asctime carries no zone but means GMT.
    ms = Date.parse(`${text} GMT`);
  } else return undefined;
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Milliseconds to wait according to a Retry-After value, relative to `now` (epoch ms);
 * a date in the past gives 0. Undefined when the header is absent or malformed.
 */
export function parseRetryAfter(header: string | readonly string[] | null | undefined, now: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header) as string | undefined;
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = parseHttpDate(text);
  return at === undefined ? undefined : Math.max(0, at - now);
}
