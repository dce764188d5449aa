// Split a byte stream into lines with bounded memory. Splitting happens on the bytes: a newline
// byte never occurs inside a multi-byte UTF-8 sequence, so each chunk is decoded once, up to its
// last newline, and only the unfinished tail is carried over. A line longer than maxLineBytes is
// skipped (reported through onTooLong) instead of growing a buffer without limit.
import type { Readable } from 'node:stream';

const NL = 0x0a;

export async function forEachLine(
  stream: Readable,
  onLine: (line: string, lineNo: number) => void,
  opts: { maxLineBytes?: number; onTooLong?: (lineNo: number) => void; onBytes?: (n: number) => void } = {},
): Promise<void> {
  const max = opts.maxLineBytes ?? 1024 * 1024;
  let tail: Buffer | undefined;
  let skipping = false;
  let lineNo = 0;
  const emitText = (text: string): void => {
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      emit(text, start, nl);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) emit(text, start, text.length);
  };
  const emit = (text: string, start: number, end: number): void => {
    lineNo += 1;
    if (skipping) {
      skipping = false;
      opts.onTooLong?.(lineNo);
      return;
    }
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (stop > start) onLine(text.slice(start, stop), lineNo);
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    opts.onBytes?.(chunk.length);
    const last = chunk.lastIndexOf(NL);
    if (last < 0) {
      tail = tail ? Buffer.concat([tail, chunk]) : chunk;
      if (tail.length > max) {
        tail = undefined;
        skipping = true;
      }
      continue;
    }
    const head = tail ? Buffer.concat([tail, chunk.subarray(0, last)]) : chunk.subarray(0, last);
    tail = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : undefined;
    // The text ends right before the chunk's last newline: emitText sees every line complete.
    emitText(head.toString('utf8') + '\n');
  }
  if (tail && tail.length > 0) emitText(tail.toString('utf8'));
}
