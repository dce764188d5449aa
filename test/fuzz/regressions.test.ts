// Bugs the fuzzers found, each pinned by the smallest input that showed it (see the fix's comment).
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ScenarioError, type ScenarioProblem } from '../../src/core/errors.js';
import { startReferenceServer, type ReferenceServer } from '../../src/demo/index.js';
import { interpolate } from '../../src/scenario/interpolate.js';
import { parseScenario } from '../../src/scenario/index.js';
import { MAX_NESTING } from '../../src/scenario/nesting.js';

function problemsOf(text: string, env: Record<string, string> = {}): ScenarioProblem[] {
  try {
    parseScenario(text, 'f.yaml', env);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).problems;
  }
  throw new Error('expected a ScenarioError');
}

const scenario = (...lines: string[]): string =>
  ['version: 1', 'name: t', 'target: self', 'endpoints:', '  - name: a', '    path: /a', ...lines, ''].join('\n');

describe('scenario loader regressions', () => {
  it('refuses deep nesting on the CST, before the composer can exhaust the stack (which may abort the process)', () => {
    // 5000 levels: the YAML composer overflowed the stack and, with its regular expressions hot,
    // V8 aborted the whole process ("FATAL ERROR: RegExpCompiler Allocation failed").
    for (const text of [
      '['.repeat(5000) + ']'.repeat(5000),
      '['.repeat(20_000),
      '- '.repeat(3000) + 'x',
      scenario(`    body: ${'{a: '.repeat(2000)}1${'}'.repeat(2000)}`),
    ]) {
      const problems = problemsOf(text);
      expect(problems).toHaveLength(1);
      expect(problems[0]!.message).toMatch(new RegExp(`nested more than ${MAX_NESTING} levels`));
      expect(problems[0]!.message).not.toMatch(/call stack/i);
      expect(problems[0]!.line).toBeGreaterThan(0);
    }
    const deep = scenario(`    body: ${'{a: '.repeat(2000)}1${'}'.repeat(2000)}`);
    expect(problemsOf(deep)[0]).toMatchObject({ line: 7, col: 11 + 4 * (MAX_NESTING - 3) });
  });

  it('still loads nesting a scenario may really use', () => {
    const levels = MAX_NESTING - 4; // document, endpoints, endpoint, body
    const text = scenario(`    body: ${'{a: '.repeat(levels)}1${'}'.repeat(levels)}`);
    expect(parseScenario(text, 'f.yaml', {}).endpoints[0]?.body).toBeTypeOf('object');
  });

  it('reports an alias that refers to its own ancestor instead of recursing without end', () => {
    const text = scenario('    body:', '      self: &loop', '        again: *loop');
    expect(problemsOf(text)).toEqual([
      { file: 'f.yaml', line: 9, col: 16, message: 'alias *loop refers to a node that contains it: scenario data cannot be cyclic' },
    ]);
    // Found as `endpoints: &a` with `reference: *a` inside the endpoint body (RangeError before the fix).
    expect(problemsOf('version: 1\nname: t\ntarget: self\nendpoints: &a\n  - name: a\n    path: /a\n    body: { ref: *a }\n')[0]?.message).toMatch(/cyclic/);
    // Reusing a finished anchor elsewhere is fine.
    expect(parseScenario(scenario('    body: { a: &x [1, 2], b: *x }'), 'f.yaml', {}).endpoints[0]?.body).toEqual({ a: [1, 2], b: [1, 2] });
  });

  it('reads only the environment’s own variables: ${constructor} is unset, not Object', () => {
    expect(interpolate('${constructor}', {})).toEqual({ missing: ['constructor'] });
    expect(interpolate('${toString:-d}|${__proto__:-p}|${valueOf}', {})).toEqual({ missing: ['valueOf'] });
    expect(interpolate('${toString:-d}|${__proto__:-p}', process.env)).toEqual({ value: 'd|p' });
    const own = Object.defineProperty({}, 'constructor', { value: 'mine', enumerable: true });
    expect(interpolate('${constructor}', own)).toEqual({ value: 'mine' });
    expect(problemsOf(scenario('    headers: { X: "${hasOwnProperty}" }')).map((p) => p.message)).toEqual([
      'environment variable hasOwnProperty is not set (use ${hasOwnProperty:-default} for a default)',
    ]);
  });

  it('prints no process warning for a map used as a key (an unquoted {{seq}})', () => {
    const emitted: unknown[] = [];
    const original = process.emitWarning;
    process.emitWarning = (warning: unknown) => void emitted.push(warning);
    try {
      const problems = problemsOf(scenario('    headers:', '      X-Ref: {{seq}}'));
      expect(problems.map((p) => `${p.line}:${p.col}`)).toEqual(['8:14']);
    } finally {
      process.emitWarning = original;
    }
    expect(emitted).toEqual([]);
  });
});

describe('reference server regressions', () => {
  let server: ReferenceServer | undefined;
  let client: Client | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  async function send(method: string, path: string, key?: string): Promise<{ status: number; type?: string }> {
    server ??= await startReferenceServer({ admin: true, port: 0, processingMs: 0 });
    client ??= new Client(server.url);
    const res = await client.request({
      method: method,
      path,
      headers: key === undefined ? {} : { 'idempotency-key': key, 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : '{"amount":1,"currency":"EUR"}',
    });
    const body = (await res.body.json()) as { type?: string };
    return { status: res.statusCode, type: body.type };
  }

  it('answers 404, not 500, for an id with a malformed percent escape', async () => {
    for (const path of ['/payments/%', '/payments/%E0%A4%A', '/refunds/%zz']) {
      expect(await send('GET', path)).toEqual({ status: 404, type: 'urn:idemaudit:problem:not-found' });
    }
  });

  it('answers 404, not 500, for targets that are not URLs relative to a base (//, //[)', async () => {
    expect(await send('GET', '//')).toEqual({ status: 404, type: 'urn:idemaudit:problem:not-found' });
    expect(await send('POST', '//[', '"k-slash"')).toEqual({ status: 404, type: 'urn:idemaudit:problem:not-found' });
    // The 404 is a final answer about that request: replayed like any other 4xx.
    expect(await send('POST', '//[', '"k-slash"')).toEqual({ status: 404, type: 'urn:idemaudit:problem:not-found' });
    expect((await send('POST', '/payments', '"k-ok"')).status).toBe(201);
  });
});
