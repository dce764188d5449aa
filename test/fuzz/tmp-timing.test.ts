import fc from 'fast-check';
import { it } from 'vitest';
import { parseScenario } from '../../src/scenario/index.js';
import * as A from './arbitraries/scenario-text.js';
it('timing', () => {
  for (const name of ['yamlDocument', 'mutatedScenario', 'corruptedScenario', 'deeplyNested', 'aliasBomb'] as const) {
    const samples = fc.sample((A as any)[name] as fc.Arbitrary<string>, { numRuns: 100, seed: 42 });
    for (const t of samples) { try { parseScenario(t, 'f', {}); } catch {} }
    const times: [number, number, string][] = [];
    for (const t of samples) {
      const s = performance.now();
      try { parseScenario(t, 'f', {}); } catch {}
      times.push([performance.now() - s, t.length, t.slice(0, 60)]);
    }
    times.sort((a, b) => b[0] - a[0]);
    const total = times.reduce((x, y) => x + y[0], 0);
    console.log(name, 'total', total.toFixed(0), 'top', JSON.stringify(times.slice(0, 3).map(([ms, len, t]) => [ms.toFixed(1), len, t])));
  }
}, 120000);
