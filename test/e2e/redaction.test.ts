// Redaction canary, end to end: a scenario whose credentials, custom credential header and
// `redact:` body field carry unmistakable canary values is audited by the built CLI against a real
// reference server (correct, and with a flaw so failures with evidence and curl reproductions
// exist). Not one canary may appear in any byte idemaudit writes: every report file of every
// format, the run's stdout and stderr, `idemaudit report --format terminal`, and the server's logs.
// Positive controls make sure the evidence is there, only redacted.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli, spawnCli, startServe } from '../helpers/cli.js';
import { reflectingServer } from '../support/hostile-servers.js';

const TOKEN_A = 'canary-token-A-1234';
const TOKEN_B = 'canary-token-B-5678';
const API_KEY = 'canary-apikey-9999';
const CARD = '4111-canary-0000';

const CANARIES = [`Bearer ${TOKEN_A}`, `Bearer ${TOKEN_B}`, TOKEN_A, TOKEN_B, API_KEY, CARD];
/** Also the encodings a careless reporter or reproduction could produce. */
const FORBIDDEN = [
  ...CANARIES,
  ...CANARIES.map((c) => Buffer.from(c).toString('base64')),
  // Any fragment: nothing else in this test's inputs, paths or names contains the word.
  'canary',
];

// Nothing but the secrets says "canary": the name, the tenants and the temp dir are neutral.
const SCENARIO = `version: 1
name: redaction-probe
description: every secret in this scenario must be redacted everywhere
target: http://127.0.0.1:1
profile: ietf-07
defaults:
  headers:
    content-type: application/json
  timeoutMs: 5000
tenants:
  alpha:
    headers:
      Authorization: "Bearer ${TOKEN_A}"
      X-Api-Key: "${API_KEY}"
  beta:
    headers:
      Authorization: "Bearer ${TOKEN_B}"
redact: [cardNumber]
endpoints:
  - name: create-payment
    method: POST
    path: /payments
    body:
      amount: 1250
      currency: EUR
      cardNumber: "${CARD}"
      reference: "order-{{seq}}"
    identity: /id
    keyRequired: mandatory
    risk: critical
checks:
  concurrent-duplicates: { copies: 4, rounds: 1 }
  sequential-replay: {}
  payload-mismatch: {}
  missing-key: {}
  cross-tenant: {}
  key-validation: {}
  cross-endpoint: { method: PUT }
  error-replay:
    body4xx: { amount: -1, cardNumber: "${CARD}" }
    body5xx: { simulate: 500, cardNumber: "${CARD}" }
`;

let dir: string;
let scenarioFile: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'idemaudit-redaction-'));
  scenarioFile = path.join(dir, 'probe.yaml');
  await writeFile(scenarioFile, SCENARIO);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Everything the server prints from now on (structured logs on stderr, banner on stdout). */
function captureLogs(child: ChildProcess): () => string {
  let logs = '';
  child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  return () => logs;
}

function leaks(name: string, text: string): string[] {
  return FORBIDDEN.filter((s) => text.toLowerCase().includes(s.toLowerCase())).map((s) => `${name} contains ${JSON.stringify(s)}`);
}

interface Audit {
  code: number | null;
  /** Output name -> content: every report file, stdout/stderr of run and report, server logs. */
  outputs: Map<string, string>;
  report: any;
}

async function audit(label: string, flaws: string[]): Promise<Audit> {
  const server = await startServe(flaws);
  const logs = captureLogs(server.child);
  const reportDir = path.join(dir, label);
  const outputs = new Map<string, string>();
  let code: number | null;
  try {
    const run = await runCli(
      ['run', scenarioFile, '--target', server.url, '--report-dir', reportDir, '--format', 'json,junit,sarif,md,html', '--seed', `redact-${label}`],
      { timeoutMs: 60_000 },
    );
    code = run.code;
    outputs.set('run stdout', run.stdout);
    outputs.set('run stderr', run.stderr);
  } finally {
    await server.stop();
  }
  outputs.set('server logs', logs());
  const files = await readdir(reportDir, { recursive: true, withFileTypes: true });
  for (const f of files.filter((e) => e.isFile())) {
    const file = path.join(f.parentPath, f.name);
    outputs.set(path.relative(reportDir, file), await readFile(file, 'utf8'));
  }
  const json = [...outputs.keys()].find((k) => k.endsWith('.json'))!;
  const rerender = await runCli(['report', path.join(reportDir, json), '--format', 'terminal']);
  expect(rerender.code, rerender.stderr).toBe(0);
  outputs.set('report --format terminal stdout', rerender.stdout);
  outputs.set('report --format terminal stderr', rerender.stderr);
  return { code, outputs, report: JSON.parse(outputs.get(json)!) };
}

const only = (a: Audit, ext: string): string => {
  const names = [...a.outputs.keys()].filter((k) => k.endsWith(ext));
  expect(names, ext).toHaveLength(1);
  return a.outputs.get(names[0]!)!;
};

/** The positive side: credentials were sent on real exchanges and show up as [REDACTED]. */
function expectRedactedEvidence(a: Audit): void {
  const sent = a.report.exchanges.filter((e: any) => e.request.body?.includes('cardNumber'));
  expect(sent.length).toBeGreaterThan(10);
  for (const e of sent) expect(JSON.parse(e.request.body).cardNumber).toBe('[REDACTED]');
  const alpha = a.report.exchanges.filter((e: any) => e.tenant === 'alpha');
  const beta = a.report.exchanges.filter((e: any) => e.tenant === 'beta');
  expect(alpha.length).toBeGreaterThan(0);
  expect(beta.length).toBeGreaterThan(0);
  for (const e of alpha) expect(e.request.headers).toMatchObject({ authorization: '[REDACTED]', 'x-api-key': '[REDACTED]' });
  for (const e of beta) expect(e.request.headers).toMatchObject({ authorization: '[REDACTED]' });
  // Evidence did not disappear: the formats that show request headers show them redacted.
  expect(only(a, '.json')).toContain('[REDACTED]');
  expect(only(a, '.html')).toMatch(/&gt; authorization: \[REDACTED\]/);
  expect(only(a, '.html')).toMatch(/&gt; x-api-key: \[REDACTED\]/);
}

describe('redaction canary: no secret reaches any output', () => {
  it('a passing audit of the correct server', async () => {
    const a = await audit('pass', []);
    expect(a.code, a.outputs.get('run stdout')).toBe(0);
    expect(
      [...a.outputs.keys()]
        .filter((k) => !k.includes(' '))
        .map((k) => k.replace(/^redaction-probe-\d{8}T\d{6}Z/, ''))
        .sort(),
    ).toEqual(['.html', '.json', '.junit.xml', '.md', '.sarif']);
    expect(a.report.summary).toMatchObject({ verdict: 'pass', counts: { fail: 0, error: 0 } });
    expect(a.outputs.get('server logs')).toMatch(/"outcome":"replay"/); // the logs were really captured
    expect([...a.outputs].flatMap(([name, text]) => leaks(name, text))).toEqual([]);
    expectRedactedEvidence(a);
  }, 90_000);

  it('a failing audit (no-tenant-scope): evidence and curl reproductions, all redacted', async () => {
    const a = await audit('fail', ['--flaw', 'no-tenant-scope']);
    expect(a.code, a.outputs.get('run stdout')).toBe(1);
    expect([...a.outputs].flatMap(([name, text]) => leaks(name, text))).toEqual([]);
    expectRedactedEvidence(a);

    const failed = a.report.results.filter((r: any) => r.verdict === 'fail');
    expect(failed.map((r: any) => r.check)).toContain('cross-tenant');
    const cross = failed.find((r: any) => r.check === 'cross-tenant');
    expect(cross.evidence.map((e: any) => e.tenant)).toEqual(expect.arrayContaining(['alpha', 'beta']));
    // Reproductions name the secrets as variables, never by value.
    const cmds: string = cross.reproduce.join('\n');
    expect(cmds).toContain('-H "authorization: ${IDEMAUDIT_AUTHORIZATION}"');
    expect(cmds).toContain('-H "x-api-key: ${IDEMAUDIT_X_API_KEY}"');
    expect(cmds).toContain('"cardNumber":"[REDACTED]"');
    // The failure and its evidence are in every format, and the terminal shows the curl commands.
    const betaLine = /tenant=beta (->|-&gt;) \d{3}/; // XML and HTML escape the arrow
    for (const ext of ['.junit.xml', '.sarif', '.md', '.html']) expect(only(a, ext), ext).toMatch(betaLine);
    // Reproductions are rendered beside the evidence, with the credential headers as variables.
    for (const ext of ['.junit.xml', '.md', '.html']) expect(only(a, ext), ext).toContain('${IDEMAUDIT_X_API_KEY}');
    for (const out of ['run stdout', 'report --format terminal stdout']) {
      const text = a.outputs.get(out)!;
      expect(text, out).toMatch(/✗ cross-tenant/);
      expect(text, out).toContain('$ curl -sS -i -X POST');
      expect(text, out).toContain('${IDEMAUDIT_X_API_KEY}');
      expect(text, out).toContain('[REDACTED]');
    }
  }, 90_000);
});

// Issue 13: redaction by value. A target that reflects every secret it receives (in its JSON body,
// a Location header, URL-encoded, base64) and secrets the run knows by value only: URL userinfo in
// --target, an environment value interpolated into a header with an ordinary name, a `redact:`
// field's value, a conventional credential query parameter, and a token with + / = in it.
const PASS = 'canary-pass-7777';
const ENV_SECRET = 'canary-env-3333';
const QUERY_TOKEN = 'canary-query-2222';
const PLUS_TOKEN = 'canary+tok/en==';
const REFLECTED = [PASS, ENV_SECRET, QUERY_TOKEN, PLUS_TOKEN, CARD];
const REFLECTED_FORBIDDEN = [
  ...REFLECTED,
  ...REFLECTED.flatMap((c) => [encodeURIComponent(c), Buffer.from(c).toString('base64'), Buffer.from(c).toString('base64').replace(/=+$/, '')]),
  'canary',
];
const reflectedLeaks = (name: string, text: string): string[] =>
  REFLECTED_FORBIDDEN.filter((s) => text.toLowerCase().includes(s.toLowerCase())).map((s) => `${name} contains ${JSON.stringify(s)}`);

const REFLECTED_SCENARIO = `version: 1
name: reflected-probe
target: http://127.0.0.1:1
defaults:
  headers:
    content-type: application/json
    X-Trace: "\${TRACE}"
  timeoutMs: 5000
tenants:
  alpha:
    headers:
      Authorization: "Bearer ${PLUS_TOKEN}"
redact: [cardNumber]
endpoints:
  - name: create-payment
    path: /payments?api_key=${QUERY_TOKEN}&page=1
    body: { amount: 5, cardNumber: "${CARD}" }
    identity: /id
checks:
  sequential-replay: {}
  payload-mismatch: {}
`;

describe('redaction canary: secrets a hostile target reflects, in every encoding', () => {
  it('every report format, stdout/stderr, dry run, report and compare', async () => {
    const server = await reflectingServer();
    const outputs = new Map<string, string>();
    try {
      const file = path.join(dir, 'reflected.yaml');
      await writeFile(file, REFLECTED_SCENARIO);
      const target = server.url.replace('http://', `http://user:${PASS}@`);
      const env = { TRACE: ENV_SECRET };
      const runs: string[] = [];
      for (const label of ['r1', 'r2']) {
        const reportDir = path.join(dir, `reflected-${label}`);
        const run = await runCli(
          ['run', file, '--target', target, '--report-dir', reportDir, '--format', 'json,junit,sarif,md,html', '--seed', `reflect-${label}`],
          { env, timeoutMs: 60_000 },
        );
        expect(run.code, run.stderr).toBe(1); // a target minting a new id per request fails sequential-replay
        outputs.set(`${label} run stdout`, run.stdout);
        outputs.set(`${label} run stderr`, run.stderr);
        for (const f of await readdir(reportDir)) {
          outputs.set(`${label} ${f}`, await readFile(path.join(reportDir, f), 'utf8'));
          if (f.endsWith('.json')) runs.push(path.join(reportDir, f));
        }
      }
      const dry = await runCli(['run', file, '--target', target, '--dry-run'], { env });
      expect(dry.code).toBe(0);
      outputs.set('dry run', dry.stdout + dry.stderr);
      for (const format of ['terminal', 'md', 'html', 'junit', 'sarif']) {
        const r = await runCli(['report', runs[0]!, '--format', format]);
        outputs.set(`report ${format}`, r.stdout + r.stderr);
      }
      const cmp = await runCli(['compare', runs[0]!, runs[1]!]);
      outputs.set('compare', cmp.stdout + cmp.stderr);
      const cmpJson = await runCli(['compare', runs[0]!, runs[1]!, '--format', 'json']);
      outputs.set('compare json', cmpJson.stdout + cmpJson.stderr);

      // Positive controls: the secrets really were sent and reflected, and the evidence is there.
      expect(server.hits.get('POST /payments')).toBeGreaterThan(2);
      const report = JSON.parse([...outputs].find(([k]) => k.startsWith('r1') && k.endsWith('.json'))![1]);
      expect(report.target).toContain('[REDACTED]@127.0.0.1');
      const replay = report.results.find((r: any) => r.check === 'sequential-replay');
      expect(replay.verdict).toBe('fail');
      expect(replay.reproduce.join('\n')).toContain('curl');
      const reflected = replay.evidence.find((e: any) => e.response)!;
      expect(reflected.response.body).toContain('[REDACTED]');
      expect(reflected.response.headers.location).toContain('[REDACTED]');
      expect(dry.stdout).toContain('api_key=%5BREDACTED%5D');

      expect([...outputs].flatMap(([name, text]) => reflectedLeaks(name, text))).toEqual([]);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('the chaos history (history.jsonl) is scrubbed like every other output', async () => {
    // Resource ids that carry the credential, through a gateway-duplicate round (the fault proxy
    // forwards one request twice): identities, oracle ids and errors all land in the history.
    const server = await reflectingServer({ idEchoesAuthorization: true });
    try {
      const file = path.join(dir, 'history.yaml');
      await writeFile(
        file,
        `version: 1
name: history-probe
target: http://127.0.0.1:1
defaults:
  headers:
    content-type: application/json
    X-Trace: "\${TRACE}"
  timeoutMs: 5000
tenants:
  alpha:
    headers:
      Authorization: "Bearer ${PLUS_TOKEN}"
redact: [cardNumber]
endpoints:
  - name: create-payment
    path: /payments?api_key=${QUERY_TOKEN}
    body: { amount: 5, cardNumber: "${CARD}" }
    identity: /id
checks:
  gateway-duplicate: { rounds: 1 }
`,
      );
      const reportDir = path.join(dir, 'history-run');
      const target = server.url.replace('http://', `http://user:${PASS}@`);
      const run = await runCli(['run', file, '--target', target, '--report-dir', reportDir, '--format', 'json', '--seed', 'history'], {
        env: { TRACE: ENV_SECRET },
        timeoutMs: 60_000,
      });
      const historyFile = (await readdir(reportDir)).find((f) => f.endsWith('.history.jsonl'));
      expect(historyFile, run.stdout + run.stderr).toBeDefined();
      const history = await readFile(path.join(reportDir, historyFile!), 'utf8');
      // Positive control: the identities were read, and carry the redaction mark where the token was.
      const identities = history
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .filter((op) => typeof op.identity === 'string');
      expect(identities.length).toBeGreaterThan(0);
      for (const op of identities) expect(op.identity).toMatch(/^res_\d+_.*\[REDACTED\]/);
      expect(reflectedLeaks('history.jsonl', history)).toEqual([]);
    } finally {
      await server.close();
    }
  }, 90_000);

  it('the standalone proxy never prints credential query values or upstream credentials', async () => {
    const server = await reflectingServer();
    const upstream = server.url.replace('http://', `http://user:${PASS}@`);
    const proxy = spawnCli(['proxy', '--upstream', upstream, '--listen', '0', '--fault', 'latency,ms=1', '--seed', 'p']);
    try {
      let out = '';
      proxy.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      await vi.waitFor(() => expect(out).toMatch(/listening on (http:\/\/\S+)/), { timeout: 15_000 });
      const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
      const res = await fetch(`${url}/payments?token=${QUERY_TOKEN}&signature=${encodeURIComponent(PLUS_TOKEN)}`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(201);
      await vi.waitFor(() => expect(out).toContain('fault latency POST /payments?token='), { timeout: 5_000 });
    } finally {
      proxy.child.kill('SIGTERM');
      const r = await proxy.result;
      await server.close();
      expect(reflectedLeaks('proxy output', r.stdout + r.stderr)).toEqual([]);
    }
  }, 30_000);
});
