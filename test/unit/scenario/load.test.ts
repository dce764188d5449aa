import { EndpointSchema } from '../../../src/scenario/schema.js';
import { CHECK_OPTIONS } from '../../../src/scenario/check-options/index.js';

const CHECK_IDS = CHECK_OPTIONS.ids();
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../src/core/errors.js';
import { loadScenarioFile, parseScenario } from '../../../src/scenario/index.js';
import { expectOnlyProblem, problemsOf, render, yaml } from './helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/scenarios/${name}`, import.meta.url));

// A valid head; tests append the part they exercise, so their own lines start at 6.
const head = ['version: 1', 'name: t', 'target: http://localhost:3000', 'endpoints:', '  - name: a'];

describe('parseScenario: valid input', () => {
  it('loads a minimal file and fills every default', async () => {
    const scenario = await loadScenarioFile(fixture('minimal.yaml'), {});
    expect(scenario).toEqual({
      version: 1,
      name: 'minimal',
      target: 'self',
      profile: 'ietf-07',
      profiles: {},
      defaults: { keyHeader: 'Idempotency-Key', timeoutMs: 10_000, burst: { mode: 'auto' } },
      tenants: {},
      redact: [],
      allowHosts: [],
      downstream: {},
      limits: { maxRequests: 20_000, maxBodyBytes: 1_048_576, bailout: { rate: 0.5, minRequests: 20 } },
      endpoints: [
        { name: 'create-order', method: 'POST', path: '/orders', keyRequired: 'expected', risk: 'high', policy: { errors: { '4xx': 'any', '5xx': 'any' } } },
      ],
      checks: {},
      // Where each endpoint's entry starts, for SARIF locations: line 5, after `  - `.
      endpointPositions: { 'create-order': { line: 5, column: 5 } },
    });
  });

  it('parses check options once, at load time: null means the defaults', () => {
    const s = parseScenario(yaml(...head, '    path: /a', 'checks:', '  missing-key:', '  concurrent-duplicates: { copies: 2 }'), 'f', {});
    expect(s.checks).toEqual({ 'missing-key': {}, 'concurrent-duplicates': { copies: 2, rounds: 3, budgetMs: 3000 } });
  });
});

describe('parseScenario: each kind of problem, with its position', () => {
  it('reports YAML syntax errors', async () => {
    const err = await loadScenarioFile(fixture('syntax-error.yaml'), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    // The unclosed `{` of line 7 is noticed where the next key starts. Syntax errors stop the load:
    // validating a tree rebuilt around them would only add noise.
    const problems = (err as ScenarioError).problems;
    expect(problems.map((p) => p.file)).toEqual([fixture('syntax-error.yaml')]);
    expect(render(problems)).toEqual(['8:1 YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }']);
  });

  it('rejects a second YAML document', () => {
    expectOnlyProblem(yaml(...head, '    path: /a', '---', 'version: 1'), '7:1', 'a scenario file holds a single YAML document');
  });

  it('reports a duplicate mapping key at the second one, naming the first line', () => {
    expectOnlyProblem(yaml(...head, '    path: /a', 'name: again'), '7:1', "duplicate key 'name' (first at line 2)");
  });

  it('reports an empty file', () => {
    expectOnlyProblem('# nothing but a comment\n', '1:1', 'the file is empty');
  });

  it('points at an unknown top-level key', () => {
    expectOnlyProblem(yaml(...head, '    path: /a', 'retries: 3'), '7:1', "unknown key 'retries'; allowed: $schema, version,");
  });

  it('points at an unknown key nested in an endpoint, suggesting the likely one', () => {
    expectOnlyProblem(yaml(...head, '    path: /a', '    identty: /id'), '7:5', "unknown key 'identty' in endpoints[0] (did you mean 'identity'?)");
  });

  it('reports a wrong type at the value', () => {
    expectOnlyProblem(yaml(...head, '    path: /a', 'defaults:', '  timeoutMs: soon'), '8:14', 'defaults.timeoutMs: expected number, received string');
  });

  it('points at the key when its value is left empty', () => {
    expectOnlyProblem(yaml('version: 1', 'name: t', 'target: self', 'endpoints:'), '4:1', 'endpoints: expected array, received null');
  });

  it('reports a missing required key at the mapping that lacks it', () => {
    expectOnlyProblem(yaml(...head, '    method: PUT'), '5:5', "missing required key 'path' in endpoints[0]");
  });

  it('points at an unknown check id and lists the known ones', () => {
    expectOnlyProblem(
      yaml(...head, '    path: /a', 'checks:', '  replay-everything: {}'),
      '8:3',
      "unknown check id 'replay-everything'; known: concurrent-duplicates, sequential-replay, payload-mismatch, missing-key, cross-tenant",
    );
  });

  it('points at the scalar that uses an unset environment variable', () => {
    const text = yaml(...head, '    path: /a', '    headers:', '      Authorization: "Bearer ${API_TOKEN}"');
    expectOnlyProblem(text, '8:22', 'environment variable API_TOKEN is not set (use ${API_TOKEN:-default} for a default)');
  });

  it('rejects a target that is not an http(s) URL', () => {
    const text = yaml('version: 1', 'name: t', 'target: localhost:3000', 'endpoints: [{ name: a, path: / }]');
    expectOnlyProblem(text, '3:9', 'target: must be an http(s) URL or "self" (got "localhost:3000")');
  });

  it('reports the interpolated value of a bad target', () => {
    const text = yaml('version: 1', 'name: t', 'target: ${URL}', 'endpoints: [{ name: a, path: / }]');
    expectOnlyProblem(text, '3:9', '(got "staging.example.com")', { URL: 'staging.example.com' });
  });

  it('points at the second of two endpoints with one name', () => {
    const text = yaml(...head, '    path: /a', '  - name: a', '    path: /b');
    expectOnlyProblem(text, '7:11', "duplicate endpoint name 'a' (first declared at line 5)");
  });

  it('rejects a bad JSON pointer in identity and in probe.count', () => {
    const text = yaml(...head, '    path: /a', '    identity: data.id', '    probe: { path: /n, count: "count" }');
    expect(render(problemsOf(text))).toEqual([
      '7:15 endpoints[0].identity: must be a JSON pointer such as /id or /data/0/id (RFC 6901) (got "data.id")',
      '8:31 endpoints[0].probe.count: must be a JSON pointer such as /id or /data/0/id (RFC 6901) (got "count")',
    ]);
  });

  it('rejects a probe tenant that is not declared', () => {
    const text = yaml(...head, '    path: /a', '    probe: { path: /n, count: /n, tenant: bob }', 'tenants:', '  alice: { headers: { X-User: a } }');
    expectOnlyProblem(text, '7:43', "unknown tenant 'bob'; declared tenants: alice");
  });

  it('rejects an unknown template placeholder at the string holding it', () => {
    const text = yaml(...head, '    path: /a', '    body:', '      items:', '        - ref: "order-{{uuid}}-{{sequence}}"');
    expectOnlyProblem(text, '9:16', 'unknown template placeholder {{sequence}}; known: {{uuid}}, {{seq}}');
  });

  it('allows {{id}} only in a probe path of an endpoint with identity', () => {
    expectOnlyProblem(yaml(...head, '    path: /a/{{id}}'), '6:11', '{{id}} is only available in probe.path');
    expectOnlyProblem(yaml(...head, '    path: /a', '    probe: { path: "/n/{{id}}", count: /n }'), '7:20', "needs 'identity:' on this endpoint");
  });

  it('reports every problem of a file at once, in file order', async () => {
    const err = await loadScenarioFile(fixture('many-problems.yaml'), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect(render((err as ScenarioError).problems)).toEqual([
      '2:7 name: use letters, digits, dot, dash and underscore (it names the report file) (got "many problems")',
      '3:9 target: must be an http(s) URL or "self" (got "ftp://example.com")',
      '6:31 environment variable ALICE_TOKEN is not set (use ${ALICE_TOKEN:-default} for a default)',
      '10:15 endpoints[0].identity: must be a JSON pointer such as /id or /data/0/id (RFC 6901) (got "id")',
      "11:57 unknown tenant 'bob'; declared tenants: alice",
      "12:11 duplicate endpoint name 'pay' (first declared at line 8)",
      `14:5 unknown key 'retries' in endpoints[1]; allowed: ${Object.keys(EndpointSchema.shape).join(', ')}`,
      `16:3 unknown check id 'concurrent-duplicate' (did you mean 'concurrent-duplicates'?); known: ${CHECK_IDS.join(', ')}`,
    ]);
    expect((err as ScenarioError).message.split('\n')[0]).toBe(
      `${fixture('many-problems.yaml')}:2:7: name: use letters, digits, dot, dash and underscore (it names the report file) (got "many problems")`,
    );
  });
});

describe('parseScenario: interpolation', () => {
  const withToken = (value: string) => yaml(...head, '    path: /a', '    headers:', `      Authorization: "${value}"`);
  const header = (text: string, env: NodeJS.ProcessEnv) => parseScenario(text, 'f', env).endpoints[0]?.headers?.Authorization;

  it('uses the variable, else the default', () => {
    expect(header(withToken('Bearer ${TOKEN:-anonymous}'), { TOKEN: 's3cret' })).toBe('Bearer s3cret');
    expect(header(withToken('Bearer ${TOKEN:-anonymous}'), {})).toBe('Bearer anonymous');
  });

  it('keeps $${ as a literal ${ without looking the variable up', () => {
    expect(header(withToken('Bearer $${TOKEN}'), {})).toBe('Bearer ${TOKEN}');
  });

  it('leaves keys alone', () => {
    // (Header names must be HTTP tokens, which `{` is not: a body key shows the same rule.)
    const s = parseScenario(yaml(...head, '    path: /a', '    body:', '      X-${NAME}: v'), 'f', {});
    expect(s.endpoints[0]?.body).toEqual({ 'X-${NAME}': 'v' });
  });

  it('reports a malformed reference', () => {
    expectOnlyProblem(withToken('Bearer ${TOKEN'), '8:22', "malformed reference '${TOKEN'");
  });
});

describe('loadScenarioFile', () => {
  it('turns an unreadable file into a ScenarioError at line 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idemaudit-scenario-'));
    const missing = join(dir, 'nope.yaml');
    const err = await loadScenarioFile(missing, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).problems).toEqual([{ file: missing, line: 0, col: 0, message: 'cannot read the scenario file: no such file' }]);
    expect((err as ScenarioError).exitCode).toBe(2);
  });

  it('reads a file written to disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idemaudit-scenario-'));
    const file = join(dir, 's.yaml');
    await writeFile(file, yaml(...head, '    path: /a'));
    await expect(loadScenarioFile(file, {})).resolves.toMatchObject({ name: 't', target: 'http://localhost:3000' });
  });
});
