// The race timeline: one lane per copy, executed copies highlighted, ledger arrivals marked, escaped.
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/report/reporters/html.js';
import { executed, raceTimeline } from '../../../src/report/race-timeline.js';
import { fixture } from './helpers.js';

describe('race timeline', () => {
  it('draws one lane per copy and highlights the copies that executed', () => {
    const race = fixture('failing').results.find((r) => r.check === 'concurrent-duplicates' && r.verdict === 'fail')!;
    const svg = raceTimeline(race.evidence, [0.5, 0.9]);
    expect(svg.match(/<g class="lane/g)).toHaveLength(race.evidence.length);
    const ran = race.evidence.filter(executed).length;
    expect(ran).toBeGreaterThan(1); // the fixture's race executed several copies
    expect(svg.match(/<g class="lane executed"/g)).toHaveLength(ran);
    expect(svg.match(/<line class="arrival"/g)).toHaveLength(2);
    expect(svg).toContain(`${ran} executed`);
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
