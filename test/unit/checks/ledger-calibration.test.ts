// The calibration of the instances' ledgers, as pure decisions: one request through one instance,
// then every ledger read for its key. All show it: one shared ledger; only the instance's own: separate
// ledgers; anything else is undecided, and a pass resting on an undecided count becomes an error.
import { describe, expect, it } from 'vitest';
import { decideLedgers, withLedgerMode, type CalibrationRound } from '../../../src/checks/ledger-calibration.js';
import { finding } from '../../../src/checks/api.js';
import type { LedgerReading } from '../../../src/engine/ledger-merge.js';
import { ex } from '../../helpers/exchange.js';

const names = ['eu', 'us'];
const round = (via: number, readings: Array<LedgerReading | undefined>, status = 201): CalibrationRound => ({
  via,
  request: ex({ status, body: { id: 'pay_1' }, label: `ledger calibration via ${names[via]}` }),
  readings,
});

describe('decideLedgers', () => {
  it('every ledger shows the execution: one shared ledger', () => {
    expect(decideLedgers([round(0, [{ n: 1 }, { n: 1 }])], names)).toEqual({ mode: 'shared', groups: [[0, 1]] });
  });

  it("only the instance's own ledger shows it: separate ledgers", () => {
    expect(decideLedgers([round(0, [{ n: 1 }, { n: 0 }])], names)).toEqual({ mode: 'separate', groups: [[0], [1]] });
    // A keyed document without an entry for the key reads as zero with no ids: still count-only.
    expect(decideLedgers([round(0, [{ n: 1 }, { n: 0, ids: [] }])], names)).toEqual({ mode: 'separate', groups: [[0], [1]] });
  });

  it('ledgers that list ids merge by id, keeping the groups their counts show', () => {
    expect(
      decideLedgers(
        [
          round(0, [
            { n: 1, ids: ['x'] },
            { n: 0, ids: [] },
          ]),
        ],
        names,
      ),
    ).toEqual({ mode: 'by-id', groups: [[0], [1]] });
    expect(
      decideLedgers(
        [
          round(0, [
            { n: 1, ids: ['x'] },
            { n: 1, ids: ['x'] },
          ]),
        ],
        names,
      ),
    ).toEqual({ mode: 'by-id', groups: [[0, 1]] });
    // Counts that fit no grouping: still by id, without groups for a later reading that lacks ids.
    expect(
      decideLedgers(
        [
          round(0, [
            { n: 1, ids: ['x'] },
            { n: 2, ids: ['y', 'z'] },
          ]),
        ],
        names,
      ),
    ).toEqual({ mode: 'by-id' });
  });

  it('three ledgers, two shared: the groups the rounds found', () => {
    const three = ['eu', 'us', 'ap'];
    const rounds = [round(0, [{ n: 1 }, { n: 0 }, { n: 1 }]), round(1, [{ n: 0 }, { n: 1 }, { n: 0 }])];
    expect(decideLedgers(rounds, three)).toEqual({ mode: 'separate', groups: [[0, 2], [1]] });
    // Stopped after one round: us and ap were never compared with each other.
    expect(decideLedgers([round(0, [{ n: 1 }, { n: 0 }, { n: 0 }])], three)).toMatchObject({ mode: 'uncertain', why: expect.stringContaining('us, ap') });
  });

  it('undecidable: a failed request, an unreadable ledger, a ledger that missed its own execution, an odd count', () => {
    const cases: CalibrationRound[][] = [
      [],
      [round(0, [{ n: 1 }, { n: 1 }], 503)],
      [round(0, [{ n: 1 }, undefined])],
      [round(0, [{ n: 0 }, { n: 0 }])],
      [round(0, [{ n: 1 }, { n: 2 }])],
    ];
    const whys = cases.map((c) => decideLedgers(c, names));
    expect(whys.map((d) => d.mode)).toEqual(['uncertain', 'uncertain', 'uncertain', 'uncertain', 'uncertain']);
    expect(whys.map((d) => d.groups)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(whys[1]!.why).toMatch(/through eu answered 503/);
    expect(whys[2]!.why).toMatch(/us's ledger gave no count/);
    expect(whys[3]!.why).toMatch(/eu's ledger did not show the execution/);
    expect(whys[4]!.why).toMatch(/us's ledger showed 2 execution/);
  });
});

describe('withLedgerMode', () => {
  const pass = finding('pass', 'violation', 'across instances eu, us: no duplicate execution', 'ref', []);
  const fail = finding('fail', 'violation', 'key executed 2 times', 'ref', []);

  it('records the mode in facts and keeps verdicts when the calibration decided', () => {
    for (const mode of ['by-id', 'shared', 'separate'] as const) {
      const out = withLedgerMode([pass, fail], { mode, plan: { urls: ['a', 'b'] } });
      expect(out.map((f) => [f.verdict, f.facts?.ledgers])).toEqual([
        ['pass', mode],
        ['fail', mode],
      ]);
    }
  });

  it('undecided: a pass becomes an error saying why; a failure on the lower bound stands', () => {
    const out = withLedgerMode([pass, fail], { mode: 'uncertain', plan: { urls: ['a', 'b'] }, why: 'the calibration request through eu answered 503' });
    expect(out.map((f) => f.verdict)).toEqual(['error', 'fail']);
    expect(out[0]!.message).toMatch(/could not be decided \(the calibration request through eu answered 503\).*lower bound.*a pass is unproven/);
    expect(out[0]!.facts).toMatchObject({ ledgers: 'uncertain' });
  });

  it('no ledger at all: nothing to record', () => {
    expect(withLedgerMode([pass], { plan: { urls: [] } })).toEqual([pass]);
  });
});
