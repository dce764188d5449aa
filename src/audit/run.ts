// runAudit: the programmatic API behind `idemaudit run`. Resolves the target, runs each selected
// check against each endpoint, and returns the versioned report. It never touches process or TTY.
import { setMaxListeners } from 'node:events';
import { getCheck, type CheckEvent, type Finding } from '../checks/index.js';
import type { Level } from '../core/verdict.js';
import type { CheckContext } from '../checks/api.js';
import { IdemauditError, TargetUnreachableError } from '../core/errors.js';
import { getProfile } from '../profiles/index.js';
import { reproduction } from '../report/curl.js';
import { SCHEMA_VERSION, summarize, type Report, type ResultRecord } from '../report/model.js';
import type { Endpoint, Scenario } from '../scenario/schema.js';
import { VERSION } from '../core/version.js';
import { burst } from '../engine/burst.js';
import { attachLoadOutcome } from '../report/load-results.js';
import type { LoadOutcome } from '../report/model.js';
import { AuditClient, type ExchangeMeta, type RequestGate, type TlsOptions } from '../engine/client.js';
import { createRunClock } from '../engine/clock.js';
import { checkEventToRunEvent, type RunListener } from './events.js';
import type { OutgoingRequest } from '../core/exchange.js';
import { RunGuard, assertTargetAllowed, type GuardLimits } from '../engine/guard.js';
import { selectChecks } from './selection.js';
import { KeyFactory } from '../engine/keys.js';
import { ExecutionOracle } from '../engine/oracle.js';
import { Redactor } from '../report/redact.js';
import { redactionPolicyFor } from './redaction-policy.js';
import { RunRecorder } from './recorder.js';
import { RequestFactory } from '../engine/requests.js';
import { createRng, randomSeed } from '../core/rng.js';
import { assertReachable, detectLedger, resolveTarget, type SelfTargetFactory } from './target.js';
import { createChaosRuntime } from './chaos-port.js';
import { HistoryLog, HistoryWriter } from '../engine/history.js';
import { fileStamp } from '../report/index.js';
import path from 'node:path';

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
  /** Override the scenario's safety rails (--max-requests, --max-rate, --max-body). */
  limits?: Partial<Pick<GuardLimits, 'maxRequests' | 'maxRate'>> & { maxBodyBytes?: number };
  /** Hosts allowed besides loopback and the scenario's allowHosts (--allow-host). */
  allowHosts?: string[];
  tls?: TlsOptions;
  /** Send nothing: hand every request the audit would send to onPlanned instead. */
  dryRun?: boolean;
  onPlanned?: (request: OutgoingRequest, meta: ExchangeMeta) => void;
  /** Starts the embedded server for `target: self` (the CLI and the idemaudit entry point pass the demo server). */
  startSelf?: SelfTargetFactory;
  /** Write the chaos history beside the report: `<historyDir>/<scenario>-<stamp>.history.jsonl` (the report's name). */
  historyDir?: string;
}

const MAX_EVIDENCE = 10;

export async function runAudit(scenario: Scenario, opts: RunOptions = {}): Promise<Report> {
  assertTargetAllowed(opts.target ?? scenario.target, [...scenario.allowHosts, ...(opts.allowHosts ?? [])]);
  const clock = createRunClock();
  const limits = scenario.limits;
  const guard = new RunGuard(
    { maxRequests: opts.limits?.maxRequests ?? limits.maxRequests, maxRate: opts.limits?.maxRate ?? limits.maxRate, bailout: limits.bailout },
    () => clock.now(),
    opts.signal,
  );
  const signal = guard.signal;
  // Every request in flight listens to the run's signal; a burst of 64 is not a leak.
  setMaxListeners(0, signal);
  const profile = getProfile(opts.profile ?? scenario.profile, scenario.profiles);
  const failOn = opts.failOn ?? 'deviation';
  const seed = opts.seed ?? randomSeed();
  const checkIds = selectChecks(scenario, opts.only, opts.skip);
  const emit: RunListener = opts.listener ?? (() => {});

  const target = opts.dryRun
    ? { baseUrl: scenario.target === 'self' && !opts.target ? 'http://self' : (opts.target ?? scenario.target).replace(/\/+$/, ''), label: `${opts.target ?? scenario.target} (dry run)`, ledgerUrl: undefined as string | undefined, close: async () => {} }
    : await resolveTarget(opts.target ?? scenario.target, scenario.ledger, scenario.self, opts.startSelf);
  const redactor = new Redactor(redactionPolicyFor(scenario));
  const recorder = new RunRecorder(profile, redactor, opts.maxExchanges);
  const sink = (e: Parameters<typeof recorder.sink>[0]): void => {
    recorder.sink(e);
    guard.observe(e);
  };
  const gate: RequestGate = opts.dryRun
    ? async (reqs, metas) => {
        reqs.forEach((r, i) => opts.onPlanned?.(r, metas[i]!));
        return 'dry run: not sent';
      }
    : (reqs) => guard.admit(reqs.length);
  const maxBodyBytes = opts.limits?.maxBodyBytes ?? limits.maxBodyBytes;
  const rng = createRng(seed);
  // The chaos checks' history: streamed to a file beside the report (created on the first operation).
  const historyWriter = opts.historyDir && !opts.dryRun
    ? new HistoryWriter(path.join(opts.historyDir, `${scenario.name}-${fileStamp(clock.startedAt.toISOString())}.history.jsonl`))
    : undefined;
  const chaosRuntime = createChaosRuntime({
    scenario, baseUrl: target.baseUrl, isSelf: (opts.target ?? scenario.target) === 'self', seed, clock,
    history: new HistoryLog(() => clock.now(), historyWriter), ledgerUrl: () => target.ledgerUrl,
    timeoutMs: scenario.defaults.timeoutMs, signal, offline: opts.dryRun === true,
  });
  const client = new AuditClient({ clock, timeoutMs: scenario.defaults.timeoutMs, sink, signal, gate, maxBodyBytes, ...(opts.tls ? { tls: opts.tls } : {}) });
  const requests = new RequestFactory(scenario, target.baseUrl, scenario.defaults.keyFormat ?? profile.keyFormat, rng.fork('bodies'));
  const keys = new KeyFactory(rng.fork('keys'));
  // The ledger may only be known once the target answered (see detectLedger below).
  const oracle = new ExecutionOracle(scenario, client, requests, () => target.ledgerUrl);
  const results: ResultRecord[] = [];
  const loads: Array<[string, LoadOutcome]> = [];
  let incomplete: string | undefined;
  let unreachable: string | undefined;

  const toRecord = (id: string, endpoint: Endpoint, f: Finding): ResultRecord => {
    const rec: ResultRecord = {
      check: id, endpoint: endpoint.name, verdict: f.verdict, level: f.level, message: redactor.text(f.message), reference: f.reference,
      evidence: f.exchanges.slice(0, MAX_EVIDENCE).map((e) => redactor.record(e)),
    };
    if (f.facts) rec.facts = redactor.value(f.facts);
    if (f.verdict === 'fail') rec.reproduce = reproduction(rec.evidence, f.concurrent === true);
    return rec;
  };
  const push = (rec: ResultRecord): void => {
    results.push(rec);
    emit({ type: 'result', result: rec });
  };

  try {
    emit({ type: 'run-start', scenario: scenario.name, target: target.label, profile: profile.id, seed, checks: checkIds.length, endpoints: scenario.endpoints.length });
    if (!opts.dryRun) {
      await assertReachable(target.baseUrl, scenario.defaults.timeoutMs, signal, opts.tls);
      target.ledgerUrl ??= await detectLedger(target.baseUrl, scenario.defaults.timeoutMs, signal, opts.tls);
    }
    outer: for (const id of checkIds) {
      const check = getCheck(id);
      for (const endpoint of scenario.endpoints) {
        if (signal.aborted) {
          incomplete = 'interrupted';
          break outer;
        }
        emit({ type: 'check-start', check: id, endpoint: endpoint.name });
        const emitFor = (e: CheckEvent): void => emit(checkEventToRunEvent(e, id, endpoint.name));
        const chaos = chaosRuntime.portFor(id, endpoint.name, emitFor);
        const ctx: CheckContext<unknown> = {
          chaos,
          scenario, endpoint, profile, requests, keys, oracle, signal,
          options: scenario.checks[id] ?? check.options.parse({}),
          http: {
            send: (req, meta, timeoutMs) => client.send(req, meta, timeoutMs),
            burst: (items) => burst(items, {
              clock, sink, gate, maxBodyBytes, signal, nextSeq: () => client.nextSeq(), timeoutMs: scenario.defaults.timeoutMs, ...(opts.tls ? { tls: opts.tls } : {}),
            }),
          },
          note: (text) => emitFor({ type: 'note', text }),
          emit: emitFor,
        };
        const applies = check.applies?.(ctx) ?? true;
        if (applies !== true) {
          push({ check: id, endpoint: endpoint.name, verdict: 'skip', level: 'observation', message: applies, reference: profile.source, evidence: [] });
          continue;
        }
        try {
          // Proxies a check started never outlive it, whatever happens inside.
          const findings = await check.run(ctx).finally(() => chaos.closeAll());
          // Findings from a check cut short by Ctrl-C describe the interruption, not the target.
          if (signal.aborted) {
            incomplete = 'interrupted';
            break outer;
          }
          for (const f of findings) {
            push(toRecord(id, endpoint, f));
            if (f.load) loads.push([endpoint.name, f.load]);
          }
        } catch (err) {
          if (signal.aborted) {
            incomplete = 'interrupted';
            break outer;
          }
          // A usage problem found mid-run (e.g. more sockets than descriptors) stops the run.
          if (err instanceof IdemauditError) throw err;
          push({ check: id, endpoint: endpoint.name, verdict: 'error', level: 'deviation', message: `check crashed: ${err instanceof Error ? err.message : String(err)}`, reference: profile.source, evidence: [] });
        }
      }
    }
    if (signal.aborted) incomplete = 'interrupted';
  } catch (err) {
    // An unreachable target still gets a report: CI keeps the evidence of what was tried.
    if (!(err instanceof TargetUnreachableError)) {
      await historyWriter?.close();
      recorder.close();
      throw err;
    }
    unreachable = err.message;
  } finally {
    await client.close();
    await chaosRuntime.close();
    await target.close();
  }

  const { exchanges, dropped } = recorder.exchanges();
  const stoppedBy = unreachable ? 'unreachable' : guard.reason === undefined ? undefined
    : guard.reason === 'interrupted' ? 'interrupted' : guard.reason.startsWith('bail-out') ? 'bail-out' : 'request-cap';
  const summary = summarize(results, failOn, unreachable ?? (incomplete ? guard.reason ?? incomplete : undefined), stoppedBy);
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
    endpoints: scenario.endpoints.map(({ name, method, path, risk, keyRequired }) => ({ name, method, path: redactor.url(path), risk, keyRequired })),
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
  const history = await historyWriter?.close();
  if (history) report.history = history;
  recorder.close();
  for (const [endpoint, load] of loads) attachLoadOutcome(report, endpoint, load);
  return report;
}
