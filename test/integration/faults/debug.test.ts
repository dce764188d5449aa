import { it } from 'vitest';
import { startFaultProxy } from '../../../src/faults/index.js';
import { send, startUpstream } from './helpers.js';
it('dbg', async () => {
  const up = await startUpstream();
  for (const f of [{ name: 'drop-response-after-upstream' }, { name: 'stall-response', holdMs: 100 }, { name: 'truncate-body' }] as const) {
    const p = await startFaultProxy({ upstream: up.url, seed: 'x', faults: [f] });
    const r = await send(`${p.url}/x`, { body: '{}' });
    console.log(f.name, r.status, r.error, r.body?.toString());
    await p.close();
  }
  await up.close();
});
