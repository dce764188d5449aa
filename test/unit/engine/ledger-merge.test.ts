// Executions of one key across the ledgers of several instances: by id when every ledger lists ids;
// count-only ledgers by what the calibration found (one shared ledger read once, separate ledgers
// added up), and without a calibration the lower bound, never a double count.
import { describe, expect, it } from 'vitest';
import { mergeLedgerReadings, partitions } from '../../../src/engine/ledger-merge.js';

describe('mergeLedgerReadings', () => {
  it('merges by execution id when every ledger lists ids', () => {
    // One shared ledger read through two instances: the same execution twice counts once.
    expect(
      mergeLedgerReadings([
        { n: 1, ids: ['pay_1'] },
        { n: 1, ids: ['pay_1'] },
      ]),
    ).toEqual({ n: 1, mode: 'by-id' });
    // Per-instance ledgers: one execution on each.
    expect(
      mergeLedgerReadings([
        { n: 1, ids: ['pay_1'] },
        { n: 1, ids: ['pay_2'] },
      ]),
    ).toEqual({ n: 2, mode: 'by-id' });
    // Ids win over any grouping: they say exactly which executions are the same.
    expect(
      mergeLedgerReadings(
        [
          { n: 1, ids: ['pay_1'] },
          { n: 1, ids: ['pay_2'] },
        ],
        [[0, 1]],
      ),
    ).toEqual({ n: 2, mode: 'by-id' });
  });

  it('count-only, one shared ledger: one reading (summing would double count a single execution)', () => {
    expect(mergeLedgerReadings([{ n: 1 }, { n: 1 }], [[0, 1]])).toEqual({ n: 1, mode: 'shared' });
    expect(mergeLedgerReadings([{ n: 2 }, { n: 2 }], [[0, 1]])).toEqual({ n: 2, mode: 'shared' });
  });

  it('count-only, separate ledgers: the counts add up (one reading would miss the other instance)', () => {
    expect(mergeLedgerReadings([{ n: 1 }, { n: 1 }], [[0], [1]])).toEqual({ n: 2, mode: 'separate' });
    expect(mergeLedgerReadings([{ n: 1 }, { n: 0, ids: [] }], [[0], [1]])).toEqual({ n: 1, mode: 'separate' });
    // Three ledgers, two of them one: one reading of those two plus the third.
    expect(mergeLedgerReadings([{ n: 1 }, { n: 1 }, { n: 1 }], [[0, 2], [1]])).toEqual({ n: 2, mode: 'separate' });
  });

  it('count-only without a calibration: the lower bound (the highest single reading), never more', () => {
    expect(mergeLedgerReadings([{ n: 1 }, { n: 1 }])).toEqual({ n: 1, mode: 'uncertain' });
    expect(mergeLedgerReadings([{ n: 1 }, { n: 3, ids: ['a', 'b', 'c'] }])).toEqual({ n: 3, mode: 'uncertain' });
    // Groups that do not partition the readings are no calibration.
    expect(mergeLedgerReadings([{ n: 1 }, { n: 1 }], [[0]])).toEqual({ n: 1, mode: 'uncertain' });
    expect(mergeLedgerReadings([{ n: 1 }, { n: 1 }], [[0, 1], [1]])).toEqual({ n: 1, mode: 'uncertain' });
  });

  it('one ledger is its own reading', () => {
    expect(mergeLedgerReadings([{ n: 3 }])).toEqual({ n: 3, mode: 'shared' });
  });

  it('partitions: every index exactly once', () => {
    expect(partitions([[0, 1], [2]], 3)).toBe(true);
    expect(partitions([[0, 1]], 3)).toBe(false);
    expect(partitions([[0, 0], [1]], 2)).toBe(false);
    expect(partitions([[0, 1], []], 2)).toBe(false);
    expect(partitions(undefined, 2)).toBe(false);
  });
});
