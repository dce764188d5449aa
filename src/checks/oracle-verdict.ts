// A declared oracle that counted nothing (an identity pointer matching no response, a probe or a
// ledger without a count) cannot vouch for anything: a check that relied on it must not pass, and
// must not quietly skip either. The result becomes `error`, naming what was declared and showing
// the answer it missed, so a typo never turns into a green build.
import type { OracleFailure } from '../engine/oracle.js';
import type { Finding } from './api.js';

export function gateOnOracle(findings: Finding[], failures: OracleFailure[]): Finding[] {
  if (failures.length === 0) return findings;
  const unique = [...new Map(failures.map((f) => [f.oracle, f])).values()];
  const what = unique.map((f) => f.message).join('; ');
  const shown = unique.map((f) => f.exchange).filter((e) => e !== undefined);
  return findings.map((f) => {
    const vouched = (f.verdict === 'pass' && f.level !== 'observation') || (f.verdict === 'skip' && f.level === 'violation');
    if (!vouched) return f;
    return {
      ...f,
      verdict: 'error',
      message: `a declared side-effect oracle counted nothing, so executions are unproven: ${what} (without it the check said: ${f.message})`,
      exchanges: [...shown, ...f.exchanges].slice(0, 10),
      facts: { ...f.facts, oracleFailures: unique.map(({ oracle, message }) => ({ oracle, message })) },
    };
  });
}
