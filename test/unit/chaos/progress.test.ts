// Chaos progress on a terminal: what is being injected and the attempts so far; nothing off a TTY.
import { describe, expect, it } from 'vitest';
import { runListener } from '../../../src/cli/commands/run.js';
import type { CliIO } from '../../../src/cli/io.js';
import { progressListener } from '../../../src/cli/progress.js';
import type { RunEvent } from '../../../src/audit/events.js';

function fakeIO(tty: boolean, env: NodeJS.ProcessEnv = {}): CliIO & { err: string[]; out: string[] } {
  const err: string[] = [];
  const out: string[] = [];
  return {
    err,
    out,
    env,
    stdout: { write: (t: string) => out.push(t), isTTY: tty },
    stderr: { write: (t: string) => err.push(t), isTTY: tty },
    onSignal: () => () => {},
  };
}

const events: RunEvent[] = [
  { type: 'run-start', scenario: 'chaos', target: 'self', profile: 'ietf-07', seed: 's', checks: 5, endpoints: 2 },
  { type: 'check-start', check: 'lost-response', endpoint: 'create-payment' },
  { type: 'chaos-inject', check: 'lost-response', endpoint: 'create-payment', round: 'fault 2/5', faults: ['stall-response holdMs=5000'] },
  {
    type: 'chaos-attempt',
    check: 'lost-response',
    endpoint: 'create-payment',
    key: 'k',
    attempt: 1,
    outcome: 'unknown',
    detail: 'attempt 1 via proxy: timeout after 500 ms',
  },
  { type: 'chaos-attempt', check: 'lost-response', endpoint: 'create-payment', key: 'k', attempt: 2, outcome: 'ok', detail: 'attempt 2: 201' },
];

describe('chaos progress', () => {
  it('shows the injected fault and the attempts so far on a TTY', () => {
    const io = fakeIO(true);
    const progress = progressListener(io, true);
    events.forEach(progress);
    // eslint-disable-next-line no-control-regex -- strips the ANSI erase-line the TTY progress writes
    const lines = io.err.map((l) => l.replace(/^\r\x1b\[2K/, ''));
    expect(lines[2]).toBe('[1/10] lost-response on create-payment, fault 2/5: injecting stall-response holdMs=5000');
    expect(lines[3]).toMatch(
      /^\[1\/10\] lost-response on create-payment: 1 attempts, last unknown \(attempt 1 via proxy: timeout after 500 ms\) \| fault 2\/5: injecting stall/,
    );
    // One line, however long the description: the terminal line is cut at 150 characters.
    expect(lines.every((l) => l.length <= 150)).toBe(true);
    expect(lines[4]).toContain('2 attempts, last ok (attempt 2: 201)');
    // A new check run starts counting again.
    progress({ type: 'check-start', check: 'gateway-duplicate', endpoint: 'create-payment' });
    progress({
      type: 'chaos-attempt',
      check: 'gateway-duplicate',
      endpoint: 'create-payment',
      key: 'k2',
      attempt: 1,
      outcome: 'ok',
      detail: 'attempt 1 via proxy: 201',
    });
    expect(io.err.at(-1)).toContain('[2/10] gateway-duplicate on create-payment: 1 attempts, last ok (attempt 1 via proxy: 201)');
    expect(io.err.at(-1)).not.toContain('injecting');
  });

  it('is quiet in CI and off a TTY (only the start line reaches stdout)', () => {
    for (const io of [fakeIO(false), fakeIO(true, { CI: 'true' })]) {
      const listener = runListener(io);
      events.forEach(listener);
      expect(io.err).toEqual([]);
      expect(io.out).toHaveLength(1);
    }
  });
});
