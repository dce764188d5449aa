// Split a byte stream into lines with bounded memory: a line longer than maxLineBytes is skipped
// (reported as malformed) instead of growing a buffer without limit.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export async function forEachLine(
  stream: Readable,
  onLine: (line: string, lineNo: number) => void,
  opts: { maxLineBytes?: number; onTooLong?: (lineNo: number) => void; onBytes?: (n: number) => void } = {},
): Promise<void> {
  const max = opts.maxLineBytes ?? 1024 * 1024;
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let skipping = false;
  let lineNo = 0;
  const emit = (line: string): void => {
    lineNo += 1;
    if (skipping) {
      skipping = false;
      opts.onTooLong?.(lineNo);
      return;
    }
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (trimmed.length > 0) onLine(trimmed, lineNo);
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    opts.onBytes?.(chunk.length);
    const text = rest + decoder.write(chunk);
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl >= 0) {
      emit(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest = text.slice(start);
    if (rest.length > max) {
      // Drop the oversized line's head; the rest of it is dropped up to its newline.
      rest = '';
      skipping = true;
    }
  }
  const last = rest + decoder.end();
  if (last.length > 0) emit(last);
}
