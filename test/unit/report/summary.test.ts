import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../../src/cli/commands/run.js';
import { summarize, type ResultRecord } from '../../../src/report/model.js';

const result = (verdict: ResultRecord['verdict'], level: ResultRecord['level'] = 'violation'): ResultRecord => ({
  check: 'c',
  endpoint: 'e',
  verdict,
  level,
  message: 'm',
  reference: 'r',
  evidence: [],
});

describe('summary verdict and exit code', () => {
  it('passes only without findings at or above fail-on and without errors', () => {
    expect(summarize([result('pass'), result('fail', 'observation')], 'deviation').verdict).toBe('pass');
    expect(summarize([result('fail', 'deviation')], 'violation').verdict).toBe('pass');
    expect(summarize([result('fail', 'deviation')], 'deviation').verdict).toBe('fail');
    expect(summarize([result('error')], 'deviation').verdict).toBe('fail');
  });

  it('inconclusive results are counted apart and never fail the run', () => {
    const s = summarize([result('pass'), result('inconclusive'), result('inconclusive')], 'observation');
    expect(s).toMatchObject({ verdict: 'pass', counts: { pass: 1, inconclusive: 2, fail: 0 } });
    expect(exitCodeOf(s)).toBe(0);
  });

  it('a target that went down mid-run is incomplete (3) even with findings made before', () => {
    const s = summarize([result('fail')], 'deviation', 'target stopped answering while payload-mismatch ran', 'unreachable');
    expect(s).toMatchObject({ verdict: 'incomplete', stoppedBy: 'unreachable' });
    expect(exitCodeOf(s)).toBe(3);
  });

  it('an interrupted run is incomplete (130) even with findings', () => {
    const s = summarize([result('fail')], 'deviation', 'interrupted', 'interrupted');
    expect(s).toMatchObject({ verdict: 'incomplete', stoppedBy: 'interrupted' });
    expect(exitCodeOf(s)).toBe(130);
  });

  it('a run stopped by a safety rail fails (1) with findings, else is incomplete (3)', () => {
    const withFinding = summarize([result('fail')], 'deviation', 'request cap of 10 reached', 'request-cap');
    expect(withFinding).toMatchObject({ verdict: 'fail', stoppedBy: 'request-cap', reason: 'request cap of 10 reached' });
    expect(exitCodeOf(withFinding)).toBe(1);
    const clean = summarize([result('pass'), result('error')], 'deviation', 'bail-out: 20 of 20 answers were 5xx', 'bail-out');
    expect(clean.verdict).toBe('incomplete');
    expect(exitCodeOf(clean)).toBe(3);
    expect(exitCodeOf(summarize([result('pass')], 'deviation'))).toBe(0);
  });
});
