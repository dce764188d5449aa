// timeout-retry's in-flight construction: where the timeout falls, and how a round's timeline says
// whether the first retry landed while the original was still running.
import { describe, expect, it } from 'vitest';
import { inFlightTimeout, landingOf } from '../../../src/checks/timeout-retry.js';
import type { PathRun } from '../../../src/checks/chaos/path.js';

const path = (retrySentAt: number | undefined): PathRun => ({
  key: 'k1',
  stoppedBy: 'ok',
  ops: [],
  attempts: [
    { attempt: 1, invoke: { at: 1000 } },
    ...(retrySentAt !== undefined ? [{ attempt: 2, invoke: { at: retrySentAt } }] : []),
  ] as unknown as PathRun['attempts'],
});

describe('inFlightTimeout', () => {
  it('falls a quarter into the handler, after the proxy delay', () => {
    expect(inFlightTimeout(120, 20)).toBe(45);
    expect(inFlightTimeout(2000)).toBe(500);
    expect(inFlightTimeout(0)).toBe(1);
  });
});

describe('landingOf', () => {
  it('in flight when the retry was sent before the ledger says the first execution committed', () => {
    expect(landingOf(path(1050), [], [{ id: 'a', executedAt: 1120 }])).toMatchObject({ landed: 'in-flight', detail: expect.stringContaining('70 ms before') });
  });
  it('after the commit when the ledger says it committed first, whatever the proxy saw', () => {
    expect(landingOf(path(1050), [{ key: 'k1', status: 201, at: 1200 }], [{ id: 'a', executedAt: 1040 }]).landed).toBe('after-commit');
  });
  it('without a ledger, the proxy’s record of the upstream answer decides', () => {
    expect(
      landingOf(path(1050), [
        { key: 'other', status: 201, at: 1000 },
        { key: 'k1', status: 201, at: 1100 },
      ]).landed,
    ).toBe('in-flight');
    expect(landingOf(path(1150), [{ key: 'k1', status: 201, at: 1100 }]).landed).toBe('after-commit');
  });
  it('unknown without a retry or without any answer to the original', () => {
    expect(landingOf(path(undefined), []).landed).toBe('unknown');
    expect(landingOf(path(1050), []).landed).toBe('unknown');
  });
});
