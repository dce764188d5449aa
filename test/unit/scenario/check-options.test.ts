import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../src/core/errors.js';
import { parseScenario } from '../../../src/scenario/index.js';

const text = `version: 1
name: x
target: self
endpoints:
  - name: e
    path: /p
checks:
  concurrent-duplicates:
    copies: 1
    roundz: 3
  sequential-replay:
`;

describe('check options', () => {
  it("are validated with the check's own schema at load time, with positions", () => {
    let err: unknown;
    try {
      parseScenario(text, 's.yaml', {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const problems = (err as ScenarioError).problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^9:13: .*>= ?2|^9:13: .*2/);
    expect(problems[1]).toMatch(/^10:5: .*roundz/);
  });

  it('accept null and valid options', () => {
    const s = parseScenario(text.replace('copies: 1\n    roundz: 3', 'copies: 4'), 's.yaml', {});
    expect(s.checks['concurrent-duplicates']).toEqual({ copies: 4, rounds: 3 });
    expect(s.checks['sequential-replay']).toMatchObject({ ignore: [] });
  });
});
