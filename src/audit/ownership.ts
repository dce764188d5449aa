// One root cause, one finding, and never a false pass: an `inconclusive` result names the check that
// owns its root cause (`facts.inconclusive.owner`; the baseline's owner, sequential-replay, when it
// names none). It stays inconclusive only while that owner reports the root cause on the same endpoint
// in the same run: the owner failed there, or is itself inconclusive there and so follows its own
// owner (a chain, e.g. cross-instance-duplicates -> failover-replay -> sequential-replay). When the
// owner was not selected, was skipped, errored or passed, or the chain only leads back to itself,
// nothing would report the root cause, so the result is a failure again and says why. An inconclusive
// result that names its root cause (`facts.inconclusive.rootCause`) is only covered by an owner result
// about that same root cause (`facts.rootCause`): failover-replay failing on a replay that differs does
// not report a second execution across instances. Nor is a violation covered by an owner's failure of
// a lesser level.
import type { ExchangeRecord } from '../core/exchange.js';
import type { ResultRecord } from '../report/model.js';
import { atLeast, ownerOf, rootCauseOf } from '../core/verdict.js';

/**
 * Pure: the results with every inconclusive one whose owner does not report the root cause turned back
 * into a failure (its message says which owner did not fail; `reproduce` gives its curl commands).
 * Every other result is returned as it is (the same object), in the same order.
 */
export function settleOwnership(results: readonly ResultRecord[], reproduce: (evidence: ExchangeRecord[]) => string[]): ResultRecord[] {
  // Per inconclusive result: true when it stands as a failure.
  const stands = new Map<ResultRecord, boolean>();
  const decide = (r: ResultRecord, visiting: ReadonlySet<ResultRecord>): boolean => {
    const known = stands.get(r);
    if (known !== undefined) return known;
    const owner = ownerOf(r);
    const next = new Set(visiting).add(r);
    const cause = rootCauseOf(r);
    // Only at the same seriousness or worse: a deviation of the owner (a lost header) does not report
    // a violation (a second execution), or `--fail-on violation` would pass the run.
    const owners = results.filter(
      (o) => o.check === owner && o.endpoint === r.endpoint && (cause === undefined || o.facts?.rootCause === cause) && atLeast(o.level, r.level),
    );
    // An inconclusive owner reports the root cause whichever way it is decided (kept: its own owner
    // failed; turned back: it fails itself), unless following it only comes back here (a cycle).
    const chained = owners.filter((o) => o.verdict === 'inconclusive' && o.check !== r.check && !next.has(o));
    for (const o of chained) decide(o, next);
    const reported = owners.some((o) => o.verdict === 'fail') || chained.length > 0;
    stands.set(r, !reported);
    return !reported;
  };
  return results.map((r) => {
    if (r.verdict !== 'inconclusive' || !decide(r, new Set())) return r;
    const owner = ownerOf(r);
    const cause = rootCauseOf(r);
    const weaker = results.some((o) => o.check === owner && o.endpoint === r.endpoint && o.verdict === 'fail' && !atLeast(o.level, r.level));
    return {
      ...r,
      verdict: 'fail',
      message: `${r.message} (${owner} did not fail${cause !== undefined ? ` on this root cause (${cause})` : ''}${weaker ? ` at ${r.level} level` : ''} on this endpoint in this run, so this failure stands)`,
      reproduce: reproduce(r.evidence),
    };
  });
}
