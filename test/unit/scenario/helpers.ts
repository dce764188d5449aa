// Shared helpers for the scenario tests: run the loader and get its problems as "line:col message".
import { expect } from 'vitest';
import { ScenarioError, type ScenarioProblem } from '../../../src/core/errors.js';
import { parseScenario } from '../../../src/scenario/index.js';

/** One array element per line, so a test reads its expected line numbers off the array. */
export const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

export function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): ScenarioProblem[] {
  try {
    parseScenario(text, 'test.yaml', env);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).problems;
  }
  throw new Error('expected the scenario to be rejected, but it loaded');
}

/** Problems as `line:col message`, easy to compare exactly or by substring. */
export const render = (problems: ScenarioProblem[]): string[] => problems.map((p) => `${p.line}:${p.col} ${p.message}`);

/** Asserts the text yields exactly one problem, at `position` ("line:col"), containing `message`. */
export function expectOnlyProblem(text: string, position: string, message: string, env: NodeJS.ProcessEnv = {}): void {
  const problems = problemsOf(text, env);
  expect(render(problems)).toHaveLength(1);
  expect(`${problems[0]?.line}:${problems[0]?.col}`).toBe(position);
  expect(problems[0]?.message).toContain(message);
}
