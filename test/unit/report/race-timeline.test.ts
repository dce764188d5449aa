// The race timeline: one lane per copy, executed copies highlighted, ledger arrivals marked, escaped.
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/report/reporters/html.js';
import { executed, raceTimeline, serverTimesOf } from '../../../src/report/race-timeline.js';
import { fixture } from './helpers.js';

describe('race timeline', () => {
  it('draws one lane per copy and highlights the copies that executed', () => {
    const race = fixture('failing').results.find((r) => r.check === 'concurrent-duplicates' && r.verdict === 'fail')!;
    const svg = raceTimeline(race.evidence);
    expect(svg.match(/<g class="lane/g)).toHaveLength(race.evidence.length);
    const ran = race.evidence.filter(executed).length;
    expect(ran).toBeGreaterThan(1); // the fixture's race executed several copies
    expect(svg.match(/<g class="lane executed"/g)).toHaveLength(ran);
    expect(svg).toContain(`${ran} executed`);
    // Without server times there is no server lane and no claim about arrivals.
    expect(svg).not.toContain('class="server"');
    expect(svg).not.toContain('arriv');
  });

  it("draws the ledger's arrivals and executions in a server lane, at their place on the time axis", () => {
    const race = fixture('failing').results.find((r) => r.check === 'concurrent-duplicates' && r.verdict === 'fail')!;
    const t0 = Math.min(...race.evidence.map((e) => e.startedAt));
    const span = Math.max(...race.evidence.map((e) => e.startedAt + e.durationMs - t0));
    const times = serverTimesOf({ arrivalsMs: [0, span / 2, 'x', span], executionsMs: [[0, span / 4], [span / 2, span], [1]] });
    expect(times).toEqual({
      arrivalsMs: [0, span / 2, span],
      executionsMs: [
        [0, span / 4],
        [span / 2, span],
      ],
    }); // malformed entries dropped
    const svg = raceTimeline(race.evidence, times);
    const ticks = [...svg.matchAll(/<line class="arrival" x1="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ticks).toHaveLength(3);
    // 0 ms sits on the lanes' left edge (the copies' sent marks), the last arrival at the longest answer.
    const sent = [...svg.matchAll(/<circle class="sent" cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    const answered = [...svg.matchAll(/<circle class="answered" cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ticks[0]).toBe(Math.min(...sent));
    expect(ticks[2]).toBe(Math.max(...answered));
    expect(ticks[1]).toBeCloseTo((ticks[0]! + ticks[2]!) / 2, 0);
    expect(svg.match(/<rect class="execution"/g)).toHaveLength(2);
    expect(svg).toContain('the ledger does not say which copy');
  });

  it('is part of the HTML finding, and absent where there is nothing to draw', () => {
    const out = renderHtml(fixture('failing'));
    expect(out).toMatch(/<article class="finding violation">[\s\S]*?<figure class="timeline"><svg/);
    expect(raceTimeline([])).toBe('');
  });

  it('escapes labels', () => {
    const e = fixture('hostile').results[0]!.evidence;
    const svg = raceTimeline([...e, ...e]);
    expect(svg).not.toContain('<script');
  });
});
