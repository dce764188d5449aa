// The README's shell examples run as shown. Every `npx idemaudit` line of a ```sh block is either
// executed here (against loopback, with its stated exit code) or listed with the reason it is not,
// so a new example cannot slip in untested. `serve --port 4001 &` becomes a server on a free port
// and the examples' 127.0.0.1:4001 points at it; the commands run in a scratch folder that sees
// the bundled scenarios, so nothing is written into the repository.
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, startServe } from '../helpers/cli.js';

interface Example {
  command: string;
  exit: number;
}

/** `npx idemaudit ...` lines of the README's sh blocks, continuations joined, comments split off. */
function readmeExamples(text: string): Example[] {
  const out: Example[] = [];
  for (const block of text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const joined = block[1]!.replace(/\\\n\s*/g, '');
    for (const line of joined.split('\n')) {
      const m = /^npx idemaudit (.*?)\s*(?:#\s*(.*))?$/.exec(line.trim());
      if (!m) continue;
      const exit = /exit (\d+)/.exec(m[2] ?? '');
      out.push({ command: m[1]!, exit: exit ? Number(exit[1]) : 0 });
    }
  }
  return out;
}

/** Examples not executed here, each with why; matched by prefix. */
const NOT_RUN: Array<[string, string]> = [
  ['serve --port 4001 --admin --flaw race &', 'started by the test itself on a free port'],
  ['run scenarios/chaos.yaml', 'chaos runs take minutes; covered by test/integration/chaos'],
  ['run scenarios/load.yaml', 'a 250 req/s load run; covered by test/integration/load'],
  ['load http://127.0.0.1:4000/payments', 'bounded load of 10-30 s at up to 2000 req/s; covered by test/integration/load'],
  ['load http://api.internal/payments', 'one shard of a multi-machine load against a real API; sharding is covered by test/e2e/load-shard.test.ts'],
  [
    'report --merge reports/*-shard-*.json',
    'merges the shards of the example above; merging is covered by test/e2e/load-shard.test.ts and test/unit/load/report.test.ts',
  ],
  ['serve --port 4002 --admin --downstream', 'a foreground demo calling a recorder at a fixed port; test/e2e/services.test.ts runs that flow on free ports'],
  ['run services-external.yaml', 'the external-app flow above; test/e2e/services.test.ts runs it with a fixed port of its own'],
  ['downstream --port 4100', 'a foreground recorder; test/e2e/services.test.ts runs `idemaudit downstream` and reads its calls'],
];

/** What each executed example must also show besides its exit code. */
const SHOWS: Array<[RegExp, RegExp]> = [
  [/^validate /, /scenarios\/reference\.yaml: ok/],
  [/^list checks/, /concurrent-duplicates/],
  [/--target/, /concurrent-duplicates/],
];

let dir: string;
let raceUrl: string;
let stopRace: () => Promise<void>;
let examples: Example[];

beforeAll(async () => {
  examples = readmeExamples(await readFile(path.join(ROOT, 'README.md'), 'utf8'));
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-readme-'));
  await symlink(path.join(ROOT, 'scenarios'), path.join(dir, 'scenarios'));
  // Some examples read the test fixtures (an OpenAPI document with a gap, for inventory's CI gate).
  await symlink(path.join(ROOT, 'test'), path.join(dir, 'test'));
  const race = await startServe(['--flaw', 'race']);
  raceUrl = race.url;
  stopRace = race.stop;
}, 30_000);

afterAll(async () => {
  await stopRace?.();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Shell globs the examples use, expanded like sh would from the scratch folder. */
async function argv(command: string): Promise<string[]> {
  const words = command.match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
  const out: string[] = [];
  for (const w of words) {
    const word = w
      .replace(/^'(.*)'$/, '$1')
      .replace(/^"(.*)"$/, '$1')
      .replaceAll('http://127.0.0.1:4001', raceUrl);
    if (w === 'scenarios/*.yaml') {
      const { readdir } = await import('node:fs/promises');
      out.push(
        ...(await readdir(path.join(ROOT, 'scenarios')))
          .filter((f) => f.endsWith('.yaml'))
          .sort()
          .map((f) => `scenarios/${f}`),
      );
    } else {
      out.push(word);
    }
  }
  return out;
}

describe('README examples', () => {
  it('finds the examples, and every one is run or listed with a reason', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const [prefix] of NOT_RUN)
      expect(
        examples.some((e) => e.command.startsWith(prefix)),
        prefix,
      ).toBe(true);
  });

  it('each example runs as shown with its stated exit code', async () => {
    const ran: string[] = [];
    for (const e of examples) {
      if (NOT_RUN.some(([prefix]) => e.command.startsWith(prefix))) continue;
      const r = await runCli(await argv(e.command), { cwd: dir, timeoutMs: 120_000 });
      expect(r.code, `idemaudit ${e.command}\n${r.stdout.slice(-1500)}\n${r.stderr}`).toBe(e.exit);
      for (const [when, shows] of SHOWS) if (when.test(e.command)) expect(r.stdout, e.command).toMatch(shows);
      ran.push(e.command);
    }
    // The audits, the ad hoc check, validate and list all ran.
    expect(ran.length).toBeGreaterThanOrEqual(5);
  }, 300_000);
});
