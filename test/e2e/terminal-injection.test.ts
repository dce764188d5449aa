// Issue 13: escape sequences in a target's bodies and headers never reach the terminal verbatim
// (clear screen, window title, hyperlinks, bell): the run's stdout and stderr, and `report`.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sanitizeLine, sanitizeText } from '../../src/report/sanitize.js';
import { runCli } from '../helpers/cli.js';
import { ESCAPES, escapeServer, type HostileServer } from '../support/hostile-servers.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

let dir: string;
let server: HostileServer;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-tty-'));
  server = await escapeServer();
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('terminal injection', () => {
  it('the sanitizer makes every escape visible and keeps ordinary text', () => {
    for (const e of ESCAPES) expect(sanitizeText(`a${e}b`)).not.toMatch(CONTROL);
    expect(sanitizeText('\x1b[2J')).toBe('\\e[2J');
    expect(sanitizeText('line 1\n\tline 2 café ✓')).toBe('line 1\n\tline 2 café ✓');
    expect(sanitizeLine('a\nb\r')).toBe('a\\nb\\r');
  });

  it('a target answering with escape sequences: run and report print them escaped', async () => {
    const file = path.join(dir, 'tty.yaml');
    await writeFile(
      file,
      `version: 1\nname: tty\ntarget: ${server.url}\ndefaults: { timeoutMs: 2000 }\nendpoints:\n  - { name: pay, path: /payments, body: { a: 1 } }\nchecks:\n  sequential-replay: {}\n  error-replay: {}\n`,
    );
    const reportDir = path.join(dir, 'r');
    const run = await runCli(['run', file, '--report-dir', reportDir]);
    expect(server.hits.get('POST /payments')).toBeGreaterThan(0);
    expect(run.stdout).toContain('\\e[2J'); // the body was shown, escaped
    expect(run.stdout).not.toMatch(CONTROL);
    expect(run.stderr).not.toMatch(CONTROL);
    const json = (await readdir(reportDir)).find((f) => f.endsWith('.json'))!;
    const rerender = await runCli(['report', path.join(reportDir, json), '--format', 'terminal']);
    expect(rerender.stdout).not.toMatch(CONTROL);
  }, 60_000);
});
