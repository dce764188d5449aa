// runAudit: the programmatic API behind `idemaudit run`. Resolves the target, runs each selected
// check against each endpoint, and returns the versioned report. It never touches process or TTY.
import { setMaxListeners } from 'node:events';
import { getCheck, CHECK_IDS, type CheckId, type Finding, type Level } from '../checks/index.js';
import type { CheckContext } from '../checks/types.js';
import { UsageError } from '../errors/index.js';
import { getProfile } from '../profiles/index.js';
import { reproduction } from '../report/curl.js';
import { SCHEMA_VERSION, summarize, type Report, type ResultRecord } from '../report/model.js';
import type { Endpoint, Scenario } from '../scenario/schema.js';
import { VERSION } from '../version.js';
import { burst } from './burst.js';
import { AuditClient } from './client.js';
import { createRunClock } from './clock.js';
import type { RunListener } from './events.js';
import { KeyFactory } from './keys.js';
import { ExecutionOracle } from './oracle.js';
import { Redactor } from './redact.js';
import { redactionPolicyFor } from './redaction-policy.js';
import { RunRecorder } from './recorder.js';
import { RequestFactory } from './requests.js';
import { createRng, randomSeed } from './rng.js';
import { assertReachable, detectLedger, resolveTarget } from './target.js';

export interface RunOptions {
  /** Overrides the scenario's target. */
  target?: string;
  profile?: string;
  seed?: string;
  failOn?: Level;
  only?: string[];
  skip?: string[];
  signal?: AbortSignal;
  listener?: RunListener;
  scenarioFile?: string;
  maxExchanges?: number;
}

const MAX_EVIDENCE = 10;

export function selectChecks(scenario: Scenario, only: string[] = [], skip: string[] = []): CheckId[] {
  for (const id of [...only, ...skip]) {
    if (!(CHECK_IDS as readonly string[]).includes(id)) throw new UsageError(`unknown check id '${id}'`, `known: ${CHECK_IDS.join(', ')}`);
  }
  const declared = Object.keys(scenario.checks) as CheckId[];
  const base = declared.length > 0 ? declared : [...CHECK_IDS];
  return base.filter((id) => (only.length === 0 || only.includes(id)) && !skip.includes(id));
}

function parseOptions(id: CheckId, raw: unknown, file: string | undefined): unknown {
  const parsed = getCheck(id).options.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
  throw new UsageError(`${file ?? 'scenario'}: options of check '${id}': ${detail}`);
}

export async function runAudit(scenario: Scenario, opts: RunOptions = {}): Promise<Report> {
  const signal = opts.signal ?? new AbortController().signal;
  // Every request in flight listens to the run's signal; a burst of 64 is not a leak.
  setMaxListeners(0, signal);
  const profile = getProfile(opts.profile ?? scenario.profile, scenario.profiles);
  const failOn = opts.failOn ?? 'deviation';
  const seed = opts.seed ?? randomSeed();
  const checkIds = selectChecks(scenario, opts.only, opts.skip);
  const checkOptions = new Map(checkIds.map((id) => [id, parseOptions(id, scenario.checks[id], opts.scenarioFile)]));
  const emit: RunListener = opts.listener ?? (() => {});

  const clock = createRunClock();
  const target = await resolveTarget(opts.target ?? scenario.target, scenario.ledger);
  const redactor = new Redactor(redactionPolicyFor(scenario));
  const recorder = new RunRecorder(profile, redactor, opts.maxExchanges);
  const rng = createRng(seed);
  const client = new AuditClient({ clock, timeoutMs: scenario.defaults.timeoutMs, sink: recorder.sink, signal });
  const requests = new RequestFactory(scenario, target.baseUrl, scenario.defaults.keyFormat ?? profile.keyFormat, rng.fork('bodies'));
  const keys = new KeyFactory(rng.fork('keys'));
  // The ledger may only be known once the target answered (see detectLedger below).
  const oracle = new ExecutionOracle(scenario, client, requests, () => target.ledgerUrl);
  const results: ResultRecord[] = [];
  let incomplete: string | undefined;

  const toRecord = (id: CheckId, endpoint: Endpoint, f: Finding): ResultRecord => {
    const rec: ResultRecord = {
      check: id, endpoint: endpoint.name, verdict: f.verdict, level: f.level, message: redactor.text(f.message), reference: f.reference,
      evidence: f.exchanges.slice(0, MAX_EVIDENCE).map((e) => redactor.record(e)),
    };
    if (f.facts) rec.facts = f.facts;
    if (f.verdict === 'fail') rec.reproduce = reproduction(rec.evidence, f.concurrent === true);
    return rec;
  };
  const push = (rec: ResultRecord): void => {
    results.push(rec);
    emit({ type: 'result', result: rec });
  };

  try {
    emit({ type: 'run-start', scenario: scenario.name, target: target.label, profile: profile.id, seed, checks: checkIds.length, endpoints: scenario.endpoints.length });
    await assertReachable(target.baseUrl, scenario.defaults.timeoutMs, signal);
    target.ledgerUrl ??= await detectLedger(target.baseUrl, scenario.defaults.timeoutMs, signal);
    outer: for (const id of checkIds) {
      const check = getCheck(id);
      for (const endpoint of scenario.endpoints) {
        if (signal.aborted) {
          incomplete = 'interrupted';
          break outer;
        }
        emit({ type: 'check-start', check: id, endpoint: endpoint.name });
        const ctx: CheckContext<unknown> = {
          scenario, endpoint, profile, requests, keys, oracle, signal,
          options: checkOptions.get(id),
          http: {
            send: (req, meta, timeoutMs) => client.send(req, meta, timeoutMs),
            burst: (items) => burst(items, { clock, sink: recorder.sink, nextSeq: () => client.nextSeq(), timeoutMs: scenario.defaults.timeoutMs, signal }),
          },
          note: (text) => emit({ type: 'check-note', check: id, endpoint: endpoint.name, text }),
        };
        const applies = check.applies?.(ctx) ?? true;
        if (applies !== true) {
          push({ check: id, endpoint: endpoint.name, verdict: 'skip', level: 'observation', message: applies, reference: profile.source, evidence: [] });
          continue;
        }
        try {
          const findings = await check.run(ctx);
          // Findings from a check cut short by Ctrl-C describe the interruption, not the target.
          if (signal.aborted) {
            incomplete = 'interrupted';
            break outer;
          }
          for (const f of findings) push(toRecord(id, endpoint, f));
        } catch (err) {
          if (signal.aborted) {
            incomplete = 'interrupted';
            break outer;
          }
          push({ check: id, endpoint: endpoint.name, verdict: 'error', level: 'deviation', message: `check crashed: ${err instanceof Error ? err.message : String(err)}`, reference: profile.source, evidence: [] });
        }
      }
    }
    if (signal.aborted) incomplete = 'interrupted';
  } finally {
    await client.close();
    await target.close();
  }

  const { exchanges, dropped } = recorder.exchanges();
  const summary = summarize(results, failOn, incomplete);
  emit({ type: 'run-end', verdict: summary.verdict });
  const finishedAt = new Date();
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'idemaudit', version: VERSION },
    scenario: {
      name: scenario.name,
      ...(opts.scenarioFile ? { file: opts.scenarioFile } : {}),
      ...(scenario.description ? { description: scenario.description } : {}),
    },
    endpoints: scenario.endpoints.map(({ name, method, path, risk, keyRequired }) => ({ name, method, path, risk, keyRequired })),
    target: target.label,
    profile: profile.id,
    seed,
    startedAt: clock.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.round(clock.now()),
    summary,
    results,
    latency: recorder.latency(),
    exchanges,
    exchangesDropped: dropped,
  };
  recorder.close();
  return report;
}
