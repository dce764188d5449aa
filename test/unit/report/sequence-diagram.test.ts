// The chaos finding's sequence diagram: lifelines, one arrow per message, the fault at the proxy,
// the ledger's executions with the extra ones highlighted; malformed facts dropped; escaped.
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/report/reporters/html.js';
import { sequenceDiagram, stepsOf } from '../../../src/report/sequence-diagram.js';
import { fixture } from './helpers.js';

/** A lost response: attempt 1 through the proxy, the upstream answers 201, the proxy drops it, the retry executes again. */
const LOST = [
  { t: 0, kind: 'send', attempt: 1, route: 'proxy', faults: ['drop-response-after-upstream'] },
  { t: 12, kind: 'execution', id: 'pay_1', arrivedT: 1 },
  { t: 13, kind: 'fault', fault: 'drop-response-after-upstream', upstreamStatuses: [201] },
  { t: 14, kind: 'answer', attempt: 1, outcome: 'unknown', error: 'connection reset (ECONNRESET)' },
  { t: 80, kind: 'send', attempt: 2, route: 'direct' },
  { t: 92, kind: 'execution', id: 'pay_2', arrivedT: 81 },
  { t: 93, kind: 'answer', attempt: 2, outcome: 'ok', status: 201, id: 'pay_2' },
];

const count = (svg: string, re: RegExp): number => svg.match(re)?.length ?? 0;

describe('sequence diagram', () => {
  it('draws client, proxy and server, every message as an arrow, the loss at the proxy and the second execution highlighted', () => {
    const svg = sequenceDiagram(stepsOf({ sequence: LOST }));
    expect(count(svg, /<g class="lifeline">/g)).toBe(3);
    expect(svg).toContain('>fault proxy<');
    // send 1, forwarded, upstream 201, answer 1 (from the proxy), send 2, answer 2 (from the server)
    expect(count(svg, /<g class="arrow /g)).toBe(6);
    expect(count(svg, /<g class="arrow send forward"/g)).toBe(1);
    expect(count(svg, /<g class="arrow answer upstream"/g)).toBe(1);
    expect(count(svg, /<g class="arrow answer unknown"/g)).toBe(1);
    expect(count(svg, /<g class="arrow answer ok"/g)).toBe(1);
    expect(svg).toContain('answer lost: connection reset');
    expect(count(svg, /<path class="cross"/g)).toBe(1);
    expect(count(svg, /<g class="execution">/g)).toBe(1);
    expect(count(svg, /<g class="execution extra">/g)).toBe(1);
    expect(svg).toContain('executions after the first are highlighted');
    // The lost answer comes back from the proxy's lifeline, the retry's from the server's.
    const lifelines = [...svg.matchAll(/<line x1="(\d+)" y1="28"/g)].map((m) => Number(m[1]));
    const answers = [...svg.matchAll(/<g class="arrow answer (unknown|ok)"><title>[^<]*<\/title><line x1="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(answers).toEqual([
      ['unknown', lifelines[1]],
      ['ok', lifelines[2]],
    ]);
    // Rows go down in time order.
    const times = [...svg.matchAll(/<text class="time" x="4" y="(\d+)">/g)].map((m) => Number(m[1]));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('has no proxy lane without a proxy, and shows a store outage and folded polls', () => {
    const svg = sequenceDiagram(
      stepsOf({
        sequence: [
          { t: 0, kind: 'outage', fault: 'store-outage', delayMs: 1000 },
          { t: 1, kind: 'send', attempt: 2, role: 'poll', route: 'direct', repeat: 56, lastAttempt: 57 },
          { t: 900, kind: 'answer', attempt: 2, role: 'poll', outcome: 'fail', status: 409, repeat: 56, lastAttempt: 57 },
          { t: 901, kind: 'gap', omitted: 7 },
        ],
      }),
    );
    expect(count(svg, /<g class="lifeline">/g)).toBe(2);
    expect(svg).not.toContain('fault proxy');
    expect(svg).toContain('store down 1000 ms');
    expect(svg).toContain('poll 2–57 (×56)');
    expect(svg).toContain('409 ×56');
    expect(svg).toContain('… 7 steps left out …');
  });

  it('drops malformed steps and escapes what it shows', () => {
    const steps = stepsOf({
      sequence: [
        null,
        { t: 'x', kind: 'send' },
        { t: 1, kind: 'explode' },
        { t: 2, kind: 'answer', attempt: 1, outcome: 'ok', status: 201, id: '<script>x</script>' },
      ],
    });
    expect(steps).toHaveLength(1);
    const svg = sequenceDiagram(steps);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;');
    expect(sequenceDiagram(stepsOf({}))).toBe('');
    expect(sequenceDiagram(stepsOf({ sequence: 'nope' }))).toBe('');
  });

  it('is part of the HTML finding, and its steps are not repeated in the facts line', () => {
    const report = fixture('failing');
    const r = report.results.find((x) => x.verdict === 'fail')!;
    r.facts = { ...r.facts, sequence: LOST, probe: 'kept' };
    const out = renderHtml(report);
    expect(out).toMatch(/<article class="finding violation">[\s\S]*?<figure class="sequence"><svg/);
    expect(out).toContain('probe=kept');
    expect(out).not.toContain('sequence=[');
  });
});
