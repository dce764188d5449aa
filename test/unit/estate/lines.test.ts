// The line splitter under observe: lines across chunk boundaries (multi-byte characters split
// too), CRLF, a last line without newline, and an oversized line skipped with bounded memory.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { forEachLine } from '../../../src/estate/observe/lines.js';

async function lines(chunks: (string | Buffer)[], maxLineBytes?: number) {
  const out: [number, string][] = [];
  const tooLong: number[] = [];
  const stream = Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  await forEachLine(stream, (l, n) => out.push([n, l]), { ...(maxLineBytes ? { maxLineBytes } : {}), onTooLong: (n) => tooLong.push(n) });
  return { out, tooLong };
}

describe('forEachLine', () => {
  it('joins lines across chunks, drops CR and empty lines, keeps a last line without newline', async () => {
    const { out } = await lines(['a1\r\nb', '2\n\nc', '3', '\nd4']);
    expect(out).toEqual([
      [1, 'a1'],
      [2, 'b2'],
      [4, 'c3'],
      [5, 'd4'],
    ]);
  });

  it('decodes a multi-byte character split between chunks', async () => {
    const bytes = Buffer.from('€uro\nnext\n');
    const { out } = await lines([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)]);
    expect(out).toEqual([
      [1, '€uro'],
      [2, 'next'],
    ]);
  });

  it('skips a line longer than the limit, whatever the chunking, and goes on', async () => {
    const { out, tooLong } = await lines(['ok\n', 'x'.repeat(30), 'x'.repeat(30), 'x'.repeat(30) + '\nafter\n'], 50);
    expect(out).toEqual([
      [1, 'ok'],
      [3, 'after'],
    ]);
    expect(tooLong).toEqual([2]);
  });
});
