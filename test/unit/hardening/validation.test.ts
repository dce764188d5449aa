// Issue 13: inputs that used to validate and then kill the run (exit 13) or overflow a timer are
// refused at load time, with their position.
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError, UsageError } from '../../../src/core/errors.js';
import { adhocScenario, parseHeader } from '../../../src/scenario/adhoc.js';
import { loadScenarioFile, parseScenario } from '../../../src/scenario/index.js';
import { MAX_SCENARIO_BYTES } from '../../../src/scenario/load.js';
import { expectOnlyProblem, yaml } from '../scenario/helpers.js';

const head = ['version: 1', 'name: t', 'target: http://localhost:3000'];
const endpoint = ['endpoints:', '  - name: a', '    path: /a'];

describe('header values are checked where they are written', () => {
  it('refuses a value with a trailing newline (a token read from a file), at its position', () => {
    expectOnlyProblem(
      yaml(...head, 'defaults:', '  headers:', '    Authorization: "Bearer abc\\n"', ...endpoint),
      '6:20',
      'line feed (U+000A) at character 11',
    );
  });

  it('refuses a NUL byte and a character outside Latin-1', () => {
    expectOnlyProblem(yaml(...head, 'defaults:', '  headers:', '    X-A: "a\\0b"', ...endpoint), '6:10', 'NUL byte');
    expectOnlyProblem(yaml(...head, 'defaults:', '  headers:', '    X-A: "snow ☃ man"', ...endpoint), '6:10', "'☃' (U+2603), outside Latin-1");
  });

  it('refuses a newline arriving through ${ENV} interpolation in a tenant header', () => {
    const text = yaml(...head, 'tenants:', '  alice:', '    headers:', '      Authorization: "Bearer ${TOKEN}"', ...endpoint);
    expectOnlyProblem(text, '7:22', 'line feed', { TOKEN: 'secret-token\n' });
  });

  it('refuses a header name that is not a token', () => {
    expectOnlyProblem(yaml(...head, 'defaults:', '  headers:', '    "X A": b', ...endpoint), '6:5', 'not an HTTP token');
  });

  it('accepts tab, visible ASCII and Latin-1', () => {
    const s = parseScenario(yaml(...head, 'defaults:', '  headers:', '    X-A: "caf\\u00e9\\tok"', ...endpoint), 'f', {});
    expect(s.defaults.headers).toEqual({ 'X-A': 'café\tok' });
  });

  it('check -H: a value with a newline or a non-Latin-1 character is a usage error naming the header, not its value', () => {
    expect(() => parseHeader('Authorization: Bearer s3cr3t\n')).toThrow(UsageError);
    expect(() => parseHeader('Authorization: Bearer s3cr3t\n')).toThrow(/-H 'Authorization': header value contains a line feed/);
    expect(() => parseHeader('X-A: snow ☃ man')).toThrow(/U\+2603/);
    try {
      parseHeader('Authorization: Bearer s3cr3t\n');
    } catch (err) {
      expect((err as Error).message).not.toContain('s3cr3t');
    }
  });
});

describe('durations and timeouts are capped by the schema', () => {
  it('timeoutMs: 3000000000 is a validation error, not a timer overflow', () => {
    expectOnlyProblem(yaml(...head, 'defaults:', '  timeoutMs: 3000000000', ...endpoint), '5:14', 'at most 600000 ms');
  });

  it('a test retention above 24 h and a retention above 365 d are refused', () => {
    const text = yaml(...head, 'endpoints:', '  - name: a', '    path: /a', '    policy:', '      testRetention: 30d');
    expectOnlyProblem(text, '8:22', 'at most 24h');
    expectOnlyProblem(yaml(...head, 'endpoints:', '  - name: a', '    path: /a', '    policy:', '      retention: 400d'), '8:18', 'at most 365d');
  });

  it('check options with timers are capped too', () => {
    expectOnlyProblem(yaml(...head, ...endpoint, 'checks:', '  expiry: { waitMs: 9000000000 }'), '8:21', 'Too big');
  });
});

describe('templates', () => {
  it('an unterminated {{uuid is a validation error instead of being sent literally', () => {
    expectOnlyProblem(yaml(...head, ...endpoint, '    body: { ref: "order-{{uuid" }'), '7:18', "unterminated template placeholder '{{uuid'");
  });

  it('check -d with an unterminated template is a usage error', () => {
    expect(() => adhocScenario('POST', 'http://127.0.0.1:1/p', { header: [], tenantHeader: [], data: '{"ref":"{{uuid"}' })).toThrow(
      /-d: unterminated template placeholder/,
    );
  });
});

describe('scenario file size', () => {
  it(`refuses a file above ${MAX_SCENARIO_BYTES} bytes before parsing it`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'idemaudit-big-'));
    try {
      const file = join(dir, 'big.yaml');
      await writeFile(file, yaml(...head, ...endpoint, `description: "${'x'.repeat(MAX_SCENARIO_BYTES)}"`));
      const err = await loadScenarioFile(file, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ScenarioError);
      expect((err as ScenarioError).exitCode).toBe(2);
      expect((err as ScenarioError).message).toContain('larger than 1048576 bytes');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
