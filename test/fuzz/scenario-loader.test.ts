// Fuzzes parseScenario: whatever the text and the environment, it returns a Scenario or throws a
// ScenarioError whose every problem is positioned and worded; never another exception, never a
// warning on the process, never a hang (each case must finish within LOADER_CASE_BUDGET_MS).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/core/errors.js';
import { parseScenario } from '../../src/scenario/index.js';
import {
  aliasBomb,
  anyScenarioText,
  corruptedScenario,
  deeplyNested,
  envArb,
  mutatedScenario,
  SEED_SCENARIOS,
  yamlDocument,
} from './arbitraries/scenario-text.js';
import { fuzzParams, fuzzTimeout, LOADER_CASE_BUDGET_MS } from './config.js';

const FILE = 'fuzz.yaml';

/**
 * Process warnings raised while the loader ran: a library writing to stderr behind the CLI's back.
 * process.emitWarning() delivers its event on a later tick, so the call itself is intercepted.
 */
const warnings: string[] = [];
const emitWarning = process.emitWarning;
beforeAll(() => {
  process.emitWarning = (warning: string | Error) => {
    warnings.push(typeof warning === 'string' ? warning : `${warning.name}: ${warning.message}`);
  };
});
afterAll(() => {
  process.emitWarning = emitWarning;
});

let slowest = { ms: 0, text: '' };

type Outcome = { ok: true } | { ok: false; error: ScenarioError };

function run(text: string, env: Record<string, string | undefined>): { outcome: Outcome; ms: number } {
  const started = performance.now();
  try {
    parseScenario(text, FILE, env);
    return { outcome: { ok: true }, ms: performance.now() - started };
  } catch (error) {
    const ms = performance.now() - started;
    if (!(error instanceof ScenarioError)) {
      throw new Error(`parseScenario threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
    }
    return { outcome: { ok: false, error }, ms };
  }
}

/** Runs the loader and checks the contract; returns what it produced, for extra assertions. */
function load(text: string, env: Record<string, string | undefined> = {}): Outcome {
  const { outcome, ms: first } = run(text, env);
  // One slow run may be a GC pause, JIT warm-up or a busy CI box; a super-linear blow-up is slow
  // every time: the fastest of up to four runs counts.
  let ms = first;
  for (let retry = 0; retry < 3 && ms >= LOADER_CASE_BUDGET_MS; retry++) ms = Math.min(ms, run(text, env).ms);
  if (ms > slowest.ms) slowest = { ms, text: text.slice(0, 200) };
  expect(ms, `parseScenario took ${ms.toFixed(1)} ms (twice) on a ${text.length}-char input`).toBeLessThan(LOADER_CASE_BUDGET_MS);
  if (!outcome.ok) {
    const { problems } = outcome.error;
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) {
      expect(p.file).toBe(FILE);
      expect(Number.isInteger(p.line) && p.line >= 0, `line ${p.line}`).toBe(true);
      expect(Number.isInteger(p.col) && p.col >= 0, `col ${p.col}`).toBe(true);
      expect(typeof p.message === 'string' && p.message.trim().length > 0, `message ${JSON.stringify(p.message)}`).toBe(true);
      // A stack overflow caught somewhere inside the loader is a crash risk, not a finding: V8 aborts
      // the whole process when the overflow strikes while it compiles a regular expression.
      expect(p.message, 'stack exhausted while loading').not.toMatch(/call stack/i);
    }
    expect(outcome.error.message.length).toBeGreaterThan(0);
  }
  expect(warnings.splice(0), 'process warnings while loading').toEqual([]);
  return outcome;
}

describe('fuzz: parseScenario never fails other than with a positioned ScenarioError', () => {
  it('loads the committed scenarios (the mutation seeds are valid)', () => {
    expect(load(SEED_SCENARIOS.reference).ok).toBe(true);
    expect(load(SEED_SCENARIOS.staging, { STAGING_TOKEN_A: 'a' }).ok).toBe(true);
  });

  it(
    'any text, any environment',
    () => {
      fc.assert(
        fc.property(anyScenarioText, envArb, (text, env) => void load(text, env)),
        fuzzParams(300),
      );
    },
    fuzzTimeout(300, 50),
  );

  it(
    'YAML documents generated from JSON-like values (scenario-shaped or not, with anchors)',
    () => {
      fc.assert(
        fc.property(yamlDocument, envArb, (text, env) => void load(text, env)),
        fuzzParams(200),
      );
    },
    fuzzTimeout(200, 50),
  );

  it(
    'mutated committed scenarios: lines deleted, duplicated, shuffled, re-indented, values replaced',
    () => {
      fc.assert(
        fc.property(mutatedScenario, envArb, (text, env) => void load(text, env)),
        fuzzParams(200),
      );
    },
    fuzzTimeout(200, 50),
  );

  it(
    'committed scenarios with random bytes and code points inserted anywhere',
    () => {
      fc.assert(
        fc.property(corruptedScenario, envArb, (text, env) => void load(text, env)),
        fuzzParams(150),
      );
    },
    fuzzTimeout(150, 50),
  );

  it(
    'deep nesting, from harmless to stack-exhausting',
    () => {
      fc.assert(
        fc.property(deeplyNested, (text) => void load(text)),
        fuzzParams(40),
      );
    },
    fuzzTimeout(40, 100),
  );

  it(
    'alias bombs are refused quickly, with a positioned problem',
    () => {
      fc.assert(
        fc.property(aliasBomb, (text) => void load(text)),
        fuzzParams(30),
      );
    },
    fuzzTimeout(30, 100),
  );
});

afterAll(() => {
  if (process.env.FUZZ_RUNS) console.log(`slowest parseScenario case: ${slowest.ms.toFixed(1)} ms (${JSON.stringify(slowest.text)})`);
});
