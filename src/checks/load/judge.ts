// The load check's verdict (pure): findings from the run's result, the oracles' figures and the
// thresholds. The first finding carries the figures and histograms to the report (Finding.load).
import type { Exchange } from '../../core/exchange.js';
import { evaluateThreshold, formatValue, type Threshold } from '../../metrics/thresholds.js';
import type { Profile } from '../../profiles/index.js';
import type { LoadResult } from '../../engine/load/types.js';
import { finding, type Finding } from '../api.js';
import { loadFigures } from './figures.js';
import { loadMetrics } from './metrics.js';
import { duplicateExecutions, type OracleFigures } from './oracles.js';

const pct = (f: number): string => `${Number((f * 100).toFixed(2))}%`;

export interface LoadJudgeInput {
  result: LoadResult;
  oracles: OracleFigures;
  /** Whether any oracle could have seen a duplicate execution. */
  oracleAvailable: boolean;
  thresholds: Threshold[];
  profile: Profile;
  /** Exchanges that show duplicate executions seen by the ledger (the summary answer). */
  ledgerEvidence?: Exchange[];
  /** Why the run was capped below the options' maxRequests, if it was. */
  capNote?: string;
}

/** Open model: "; N of M sent late ..." when the run did not go out on schedule (the generator or the connections could not keep up). */
export function behindSchedule(r: LoadResult): string {
  if (r.targetRate === undefined) return '';
  const late = r.late ?? 0;
  if (late === 0 && r.dropped === 0) return '';
  const parts: string[] = [];
  if (late > 0) parts.push(`${late} of ${r.sent} sent more than 5 ms behind schedule (worst ${Math.round(r.maxLagMs ?? 0)} ms)`);
  if (r.dropped > 0) parts.push(`${r.dropped} dropped at the in-flight cap`);
  return `; not sent as planned: ${parts.join(', ')}; latency counts from each intended start`;
}

export function judgeLoad(input: LoadJudgeInput): Finding[] {
  const { result: r, profile } = input;
  const dupsSent = r.kinds.replay + r.kinds.inflight;
  const dupExec = dupsSent === 0 ? 0 : input.oracleAvailable ? duplicateExecutions(input.oracles) : null;
  const metrics = loadMetrics(r, dupExec);
  const evaluations = input.thresholds.map((t) => evaluateThreshold(t, metrics));
  const rows = evaluations.map((e) => ({
    expression: e.threshold.source,
    verdict: e.ok === undefined ? ('skip' as const) : e.ok ? ('pass' as const) : ('fail' as const),
    observed: e.text,
  }));
  const figures = loadFigures(r, dupExec, rows);
  const histograms = r.stats.encode();
  const facts: Record<string, unknown> = { load: figures, oracles: input.oracles };
  const findings: Finding[] = [];
  const rate =
    r.targetRate !== undefined
      ? `${figures.achievedRate} req/s of ${figures.targetRate} target`
      : `${figures.achievedRate} req/s on ${r.connections} connections`;
  const head = `${r.completed} requests (${r.executor}, ${rate}${behindSchedule(r)})`;

  if (r.completed === 0) {
    const why =
      Object.entries(r.errors)
        .map(([e, n]) => `${e} x${n}`)
        .join(', ') || 'nothing was sent';
    return [{ ...finding('error', 'deviation', `${head}: no request completed (${why})`, profile.cite.execution, [], facts), load: { figures, histograms } }];
  }

  if (r.stoppedEarly) {
    findings.push(
      finding(
        'fail',
        'deviation',
        `${head}: the load stopped early, ${r.stoppedEarly}`,
        profile.cite.execution,
        r.samples.filter((e) => e.error || (e.response?.status ?? 0) >= 500).slice(0, 3),
        facts,
      ),
    );
  }

  const mix = `${r.kinds.fresh} fresh keys, ${r.kinds.replay} replays, ${r.kinds.inflight} in-flight duplicates`;
  const conflicts = `conflict rate ${pct(figures.conflictRate)}`;
  if (dupExec === null) {
    findings.push(
      finding(
        'skip',
        'violation',
        `${head}: no side-effect oracle, so duplicate executions under load cannot be counted: declare \`identity\` or \`probe\` on the endpoint (or audit target self)${r.duplicates.unexplainedDifferences > 0 ? `; ${r.duplicates.unexplainedDifferences} duplicates got a different 2xx body than their original` : ''}`,
        profile.cite.execution,
        [],
        facts,
      ),
    );
  } else if (dupExec > 0) {
    const idPairs = r.evidence.identity.flat();
    const by = (Object.entries(input.oracles) as Array<[string, number | { keys: number; excess: number }]>)
      .map(([k, v]) => `${k} ${typeof v === 'object' ? `${v.excess} in ${v.keys} sampled keys` : v}`)
      .join(', ');
    findings.push({
      ...finding(
        'fail',
        'violation',
        `${head}: ${dupExec} duplicate execution${dupExec === 1 ? '' : 's'} under load (${by}); ${mix}`,
        profile.cite.execution,
        idPairs.length > 0 ? idPairs : (input.ledgerEvidence ?? []),
        facts,
      ),
      concurrent: idPairs.length > 0,
    });
  } else {
    findings.push(
      finding(
        'pass',
        'violation',
        `${head}: zero duplicate executions (${Object.keys(input.oracles).join(', ') || 'no duplicates sent'}); ${mix}; ${figures.replaysCompared} duplicates matched their original; ${conflicts}`,
        profile.cite.execution,
        r.samples.slice(0, 2),
        facts,
      ),
    );
  }

  const mismatches = r.duplicates.replayMismatches + r.duplicates.unexplainedDifferences;
  if (mismatches > 0) {
    const pairs = [...r.evidence.mismatch, ...r.evidence.unexplained].flat();
    findings.push(
      finding(
        'fail',
        'violation',
        `${mismatches} of ${figures.replaysCompared} duplicates answered 2xx with another status or body than their original (a replay must return the stored response byte for byte)`,
        profile.cite.replay,
        pairs,
        { replaysCompared: figures.replaysCompared, replayMismatches: mismatches },
      ),
    );
  }

  if (input.capNote) {
    findings.push(finding('pass', 'observation', input.capNote, profile.cite.execution, []));
  }

  // The first finding carries the run's figures and histograms to the report's load section.
  if (findings[0]) findings[0].load = { figures, histograms };

  for (const e of evaluations) {
    const verdict = e.ok === undefined ? 'skip' : e.ok ? 'pass' : 'fail';
    const level = e.threshold.level;
    const message =
      e.ok === undefined
        ? `threshold ${e.threshold.source}: no data (${e.text.split(': ').slice(1).join(': ')})`
        : `threshold ${e.text} -> ${e.ok ? 'met' : 'breached'}`;
    findings.push(
      finding(verdict, level, message, 'scenario thresholds (check load)', [], {
        threshold: e.threshold.source,
        left: e.left === undefined ? null : formatValue(e.left, e.threshold.valueKind),
        right: e.right === undefined ? null : formatValue(e.right, e.threshold.valueKind),
      }),
    );
  }
  return findings;
}
