// The history file: JSONL, one operation per line, streamed, bounded, created only when used.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_FORMAT_VERSION, HistoryLog, HistoryWriter, parseHistory } from '../../../src/engine/history.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-history-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('HistoryLog', () => {
  it('stamps a gap-free index, run time and epoch time, with the leading fields in a fixed order', () => {
    let now = 12.3456;
    const log = new HistoryLog(() => now);
    const a = log.record({ type: 'invoke', process: 'p', f: 'POST /payments', key: 'k', attempt: 1 });
    now = 20;
    const b = log.record({ type: 'ok', process: 'p', f: 'POST /payments', key: 'k', attempt: 1, status: 201, at: 1_700_000_000_000.125 });
    expect(a).toMatchObject({ v: HISTORY_FORMAT_VERSION, index: 0, time: 12.346, type: 'invoke' });
    expect(b).toMatchObject({ index: 1, time: 20, status: 201 });
    expect(b.at).toBeCloseTo(1_700_000_000_000.125, 2);
    expect(Object.keys(b).slice(0, 7)).toEqual(['v', 'index', 'time', 'at', 'type', 'process', 'f']);
  });
});

describe('HistoryWriter', () => {
  it('creates no file when nothing is recorded', async () => {
    const file = path.join(dir, 'none', 'x.history.jsonl');
    const writer = new HistoryWriter(file);
    expect(await writer.close()).toBeUndefined();
    await expect(stat(file)).rejects.toThrow();
  });

  it('streams one JSON object per line into a directory it creates, readable back with parseHistory', async () => {
    const file = path.join(dir, 'nested', 'run', 'chaos-20261122T160102Z.history.jsonl');
    const writer = new HistoryWriter(file);
    const log = new HistoryLog(() => 1, writer);
    const ops = [
      log.record({
        type: 'invoke',
        process: 'lost-response/ep/1',
        f: 'POST /payments',
        key: 'k',
        attempt: 1,
        route: 'proxy',
        faults: ['drop-response-after-upstream'],
      }),
      log.record({ type: 'fault', process: 'proxy', f: 'drop-response-after-upstream', key: 'k', upstreamStatuses: [201] }),
      log.record({ type: 'unknown', process: 'lost-response/ep/1', f: 'POST /payments', key: 'k', attempt: 1, error: 'connection reset (ECONNRESET)' }),
      log.record({ type: 'ok', process: 'oracle', f: 'count', key: 'k', value: { executions: 1, by: { ledger: 1 }, ids: [], ledger: [{ id: 'pay_1' }] } }),
    ];
    expect(await writer.close()).toEqual({ file, ops: 4, dropped: 0 });
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(4);
    expect(parseHistory(text)).toEqual(ops);
  });

  it('is bounded: past maxOps operations are counted, not written, and a trailer says how many', async () => {
    const file = path.join(dir, 'bounded.history.jsonl');
    const writer = new HistoryWriter(file, { maxOps: 3 });
    const log = new HistoryLog(() => 0, writer);
    for (let i = 0; i < 10; i++) log.record({ type: 'invoke', process: 'p', f: 'POST /x', attempt: i + 1 });
    expect(await writer.close()).toEqual({ file, ops: 3, dropped: 7 });
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3]!)).toEqual({ v: 1, type: 'truncated', dropped: 7 });
    expect(parseHistory(lines.join('\n'))).toHaveLength(3);
  });

  it('is bounded in bytes too', async () => {
    const file = path.join(dir, 'bytes.history.jsonl');
    const writer = new HistoryWriter(file, { maxBytes: 400 });
    const log = new HistoryLog(() => 0, writer);
    for (let i = 0; i < 20; i++) log.record({ type: 'invoke', process: 'p', f: 'POST /x', attempt: i + 1 });
    const summary = (await writer.close())!;
    expect(summary.ops).toBeGreaterThan(0);
    expect(summary.ops + summary.dropped).toBe(20);
    expect((await stat(file)).size).toBeLessThan(400 + 100);
  });

  it('a file that cannot be written does not break the run: operations are dropped and the error reported', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    await new HistoryWriter(blocker).close();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(blocker, 'x');
    const writer = new HistoryWriter(path.join(blocker, 'h.history.jsonl'));
    const log = new HistoryLog(() => 0, writer);
    expect(() => log.record({ type: 'invoke', process: 'p', f: 'POST /x' })).not.toThrow();
    expect(log.record({ type: 'invoke', process: 'p', f: 'POST /x' }).index).toBe(1);
    expect(await writer.close()).toEqual({
      file: path.join(blocker, 'h.history.jsonl'),
      ops: 0,
      dropped: 2,
      error: expect.stringMatching(/ENOTDIR|EEXIST|not a directory/),
    });
  });
});
