// The built CLI runs scenarios/chaos.yaml against `idemaudit serve --flaw no-inflight` (reached with
// --target) and exits 1, naming gateway-duplicate, with the history beside the report and no
// progress output off a terminal.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minimalCounterexample } from '../../../src/checks/chaos/derive.js';
import { parseHistory } from '../../../src/engine/history.js';
import { runCli, startServe } from '../../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-chaos-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('idemaudit run scenarios/chaos.yaml', () => {
  it('exits 1 against serve --flaw no-inflight, with gateway-duplicate violations and their minimal counterexample', async () => {
    const server = await startServe(['--flaw', 'no-inflight', '--lease', '1000', '--processing-ms', '100', '--log-level', 'silent']);
    try {
      const r = await runCli(['run', 'scenarios/chaos.yaml', '--target', server.url, '--report-dir', dir, '--seed', 'chaos-cli'], { timeoutMs: 40_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('gateway-duplicate');
      const files = await readdir(dir);
      const json = files.filter((f) => f.endsWith('.json'));
      const history = files.filter((f) => f.endsWith('.history.jsonl'));
      expect(json).toHaveLength(1);
      expect(history).toEqual([json[0]!.replace(/\.json$/, '.history.jsonl')]);
      expect(r.stdout).toContain(`report: ${path.join(dir, json[0]!)}, ${path.join(dir, history[0]!)}`);

      const report = JSON.parse(await readFile(path.join(dir, json[0]!), 'utf8'));
      const dup = report.results.find((x: any) => x.check === 'gateway-duplicate' && x.verdict === 'fail');
      expect(dup).toMatchObject({
        level: 'violation',
        message: expect.stringMatching(/key executed 2 times \(one attempt \(attempt 1 via proxy \(duplicate-upstream\)\)/),
      });
      // The proof: the client's one invoke and its answer, the proxy's duplicate, two ledger executions.
      const c = dup.facts.counterexample;
      expect(c.reason).toBe('ledger');
      expect(c.ops.map((op: any) => `${op.process === 'oracle' ? 'oracle' : op.process === 'proxy' ? 'proxy' : 'client'} ${op.type}`)).toEqual([
        'client invoke',
        'proxy fault',
        'client ok',
        'oracle ok',
      ]);
      expect(c.ops.at(-1).value.ledger).toHaveLength(2);
      expect(dup.evidence.length).toBeGreaterThan(0);
      expect(dup.reproduce.length).toBeGreaterThan(0);

      // The same counterexample can be derived again from the history file alone.
      const ops = parseHistory(await readFile(path.join(dir, history[0]!), 'utf8'));
      expect(ops.length).toBe(report.history.ops);
      const again = minimalCounterexample(ops, dup.facts.key);
      expect(again?.ops.map((op) => op.index)).toEqual(c.ops.map((op: any) => op.index));
    } finally {
      await server.stop();
    }
  }, 60_000);
});
