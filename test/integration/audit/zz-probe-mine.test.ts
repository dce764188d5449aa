import { it } from 'vitest';
import { runAudit } from '../../../src/engine/run.js';
import { FLAW_NAMES, startReferenceServer } from '../../../src/reference/index.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';

it('probe', async () => {
  for (const flaw of FLAW_NAMES) {
    const server = await startReferenceServer({ port: 0, flaws: [flaw] });
    const scenario = await loadScenarioFile('scenarios/reference.yaml', {});
    const r = await runAudit(scenario, { target: server.url, seed: 'x' });
    console.log('FLAW', flaw, r.results.filter((x) => x.verdict !== 'pass' && x.verdict !== 'skip').map((x) => `${x.check}/${x.endpoint} ${x.verdict} ${x.level}: ${x.message}`).join('\n   '));
    await server.close();
  }
}, 120000);
