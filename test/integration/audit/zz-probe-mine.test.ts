import { it } from 'vitest';
import { runAudit } from '../../../src/engine/run.js';
import { startReferenceServer } from '../../../src/reference/index.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';

it('probe', async () => {
  const server = await startReferenceServer({ port: 0, flaws: [] });
  const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
  const starts = new Map<string, number>();
  const t = performance.now();
  await runAudit(scenario, { target: server.url, seed: 'x', listener: (e: any) => {
    if (e.type === 'check-start') starts.set(e.check + ' ' + e.endpoint, performance.now());
    if (e.type === 'result') { const k = e.result.check + ' ' + e.result.endpoint; if (starts.has(k)) { console.log(k, Math.round(performance.now() - starts.get(k)!)); starts.delete(k); } }
  } });
  console.log('total', Math.round(performance.now() - t));
  await server.close();
}, 60000);
