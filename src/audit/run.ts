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
import { burstIn, resolveBurstMode, type BurstMode } from '../engine/burst-mode.js';
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
import { metricsUrl, scrape } from './observability.js';
import { judgeObservability, type ObservabilityCoverage } from '../report/observability.js';
import type { Outcome } from '../core/outcome.js';
import { RequestFactory } from '../engine/requests.js';
import { createRng, randomSeed } from '../core/rng.js';
import { assertReachable, detectLedger, resolveTarget, type SelfTargetFactory } from './target.js';
import { createChaosRuntime, faultOp } from './chaos-port.js';
import type { FaultEvent } from '../faults/index.js';
import { assertInstancesAllowed, declaresInstances, instanceUrls, resolveInstances, type ResolvedInstances } from './instances.js';
import { startDownstream, type DownstreamRuntime } from './downstream.js';
import { gateOnOracle } from '../checks/oracle-verdict.js';
import { attribute, establishBaseline, needsBaseline, type Baseline } from '../checks/baseline.js';
import { settleOwnership } from './ownership.js';
import { HistoryLog, HistoryWriter } from '../engine/history.js';
import { reportBase } from '../report/files.js';

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
  const allowed = [...scenario.allowHosts, ...(opts.allowHosts ?? [])];
  assertTargetAllowed(opts.target ?? scenario.target, allowed);
  // The ledger is traffic too: an absolute ledger URL on a host nobody allowed is refused like a target.
  if (scenario.ledger && !scenario.ledger.startsWith('/')) assertTargetAllowed(scenario.ledger, allowed, 'ledger');
  assertInstancesAllowed(scenario, opts.target ?? scenario.target, allowed);
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

  // The recorders listen before the target starts: `target: self` is started pointing at them.
  const isSelf = (opts.target ?? scenario.target) === 'self';
  // Faults the downstream proxies inject go to the chaos history, which exists only once the target is
  // resolved: the ones before it (none in practice: the app calls B only while checks run) wait.
  const earlyDownstreamFaults: Array<[string, FaultEvent]> = [];
  let onDownstreamFault = (name: string, e: FaultEvent): void => void earlyDownstreamFaults.push([name, e]);
  const downstream: DownstreamRuntime = opts.dryRun
    ? { port: undefined, urls: [], close: async () => {} }
    : await startDownstream(scenario, isSelf, seed, (name, e) => onDownstreamFault(name, e));
  const resolveTargetWith = (d: DownstreamRuntime) => {
    const self = d.urls.length > 0 ? { ...scenario.self, downstream: d.urls[0]![1] } : scenario.self;
    return resolveTarget(opts.target ?? scenario.target, scenario.ledger, self, opts.startSelf).catch(async (err: unknown) => {
      await d.close();
      throw err;
    });
  };
  const target = opts.dryRun
    ? {
        baseUrl: scenario.target === 'self' && !opts.target ? 'http://self' : (opts.target ?? scenario.target).replace(/\/+$/, ''),
        label: `${opts.target ?? scenario.target} (dry run)`,
        ledgerUrl: undefined as string | undefined,
        close: async () => {},
      }
    : await resolveTargetWith(downstream);
  // Credentials in any instance's URL (targets:, the scenario's or an endpoint's) are secrets like the target's own.
  const redactor = new Redactor(redactionPolicyFor(scenario, [...(opts.target ? [opts.target] : []), ...instanceUrls(scenario)]));
  const recorder = new RunRecorder(profile, redactor, opts.maxExchanges);
  // Exchanges that got no answer at all while the current check ran: a hint the target may be down.
  let unanswered = 0;
  const sink = (e: Parameters<typeof recorder.sink>[0]): void => {
    recorder.sink(e);
    guard.observe(e);
    if (!e.response && e.error !== undefined && !e.error.startsWith('dry run')) unanswered++;
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
  const historyWriter =
    opts.historyDir && !opts.dryRun
      ? new HistoryWriter(`${reportBase(opts.historyDir, scenario.name, clock.startedAt.toISOString())}.history.jsonl`, {
          // Named fields and every secret value scrubbed, and `f` (method and path) as a URL, like an exchange's.
          redact: (op) => ({ ...redactor.value(op), f: redactor.url(op.f) }),
        })
      : undefined;
  const historyLog = new HistoryLog(() => clock.now(), historyWriter);
  onDownstreamFault = (name, e) => void historyLog.record(faultOp(e, `downstream:${name}`));
  for (const [name, e] of earlyDownstreamFaults.splice(0)) onDownstreamFault(name, e);
  const chaosRuntime = createChaosRuntime({
    scenario,
    baseUrl: target.baseUrl,
    isSelf: (opts.target ?? scenario.target) === 'self',
    seed,
    clock,
    history: historyLog,
    ledgerUrl: () => target.ledgerUrl,
    timeoutMs: scenario.defaults.timeoutMs,
    signal,
    offline: opts.dryRun === true,
  });
  const client = new AuditClient({ clock, timeoutMs: scenario.defaults.timeoutMs, sink, signal, gate, maxBodyBytes, ...(opts.tls ? { tls: opts.tls } : {}) });
  const requests = new RequestFactory(scenario, target.baseUrl, scenario.defaults.keyFormat ?? profile.keyFormat, rng.fork('bodies'));
  const keys = new KeyFactory(rng.fork('keys'));
  // The ledger may only be known once the target answered (see detectLedger below).
  const oracle = new ExecutionOracle(scenario, client, requests, () => target.ledgerUrl);
  const results: ResultRecord[] = [];
  // Burst mode per origin (auto asks once), and the mode each check's bursts used, for its results.
  const burstModes = new Map<string, BurstMode>();
  const burstsBy = new Map<string, { mode: BurstMode; segments?: number }>();
  // Per endpoint, established on first need (see checks/baseline.ts).
  const baselines = new Map<string, Promise<Baseline>>();
  /** After a check saw unanswered requests: a target that stopped answering stops the run (exit 3). */
  const assertStillUp = async (id: string, endpoint: Endpoint): Promise<void> => {
    if (unanswered === 0 || opts.dryRun) return;
    try {
      await assertReachable(target.baseUrl, scenario.defaults.timeoutMs, signal, opts.tls);
    } catch (err) {
      if (!(err instanceof TargetUnreachableError)) throw err;
      throw new TargetUnreachableError(
        target.baseUrl,
        `it stopped answering while ${id} ran on ${endpoint.name} (${err.message.replace(/^target \S+ is unreachable: /, '')}); results so far are in the report`,
        { cause: err },
      );
    }
  };
  const loads: Array<[string, LoadOutcome]> = [];
  let incomplete: string | undefined;
  let unreachable: string | undefined;

  const toRecord = (id: string, endpoint: Endpoint, f: Finding): ResultRecord => {
    const rec: ResultRecord = {
      check: id,
      endpoint: endpoint.name,
      verdict: f.verdict,
      level: f.level,
      message: redactor.text(f.message),
      reference: f.reference,
      evidence: f.exchanges.slice(0, MAX_EVIDENCE).map((e) => redactor.record(e)),
    };
    if (f.facts) rec.facts = redactor.value(f.facts);
    const bursts = burstsBy.get(`${id}\u0000${endpoint.name}`);
    if (bursts) rec.facts = { ...rec.facts, burst: bursts };
    if (f.verdict === 'fail') rec.reproduce = reproduction(rec.evidence, f.concurrent === true, opts.tls);
    return rec;
  };
  const push = (rec: ResultRecord): void => {
    results.push(rec);
    emit({ type: 'result', result: rec });
  };

  // The scenario's `targets:` (several instances or regions), resolved once the primary answered.
  let instances: ResolvedInstances | undefined;
  let metricsBefore: string | undefined;
  let observability: ObservabilityCoverage | undefined;
  try {
    emit({
      type: 'run-start',
      scenario: scenario.name,
      target: redactor.url(target.label),
      profile: profile.id,
      seed,
      checks: checkIds.length,
      endpoints: scenario.endpoints.length,
    });
    if (!opts.dryRun) {
      await assertReachable(target.baseUrl, scenario.defaults.timeoutMs, signal, opts.tls);
      target.ledgerUrl ??= await detectLedger(target.baseUrl, scenario.defaults.timeoutMs, signal, opts.tls);
    }
    if (declaresInstances(scenario)) {
      instances = await resolveInstances(scenario, target, {
        isSelf: (opts.target ?? scenario.target) === 'self',
        dryRun: opts.dryRun === true,
        timeoutMs: scenario.defaults.timeoutMs,
        signal,
        ...(opts.tls ? { tls: opts.tls } : {}),
      });
    }
    if (!opts.dryRun) {
      if (scenario.observability) {
        const url = metricsUrl(scenario.observability.metrics, target.baseUrl);
        assertTargetAllowed(url, [...scenario.allowHosts, ...(opts.allowHosts ?? [])]);
        metricsBefore = await scrape(url, scenario.defaults.timeoutMs, signal, opts.tls).catch((err: unknown) => {
          observability = { metrics: url, series: [], error: err instanceof Error ? err.message : String(err) };
          return undefined;
        });
      }
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
        // The endpoint's own targets: when it declares them, else the scenario's.
        const spans = instances?.for(endpoint);
        const ctx: CheckContext<unknown> = {
          chaos,
          ...(spans ? { instances: { primary: target.baseUrl, targets: spans } } : {}),
          ...(downstream.port ? { downstream: downstream.port } : {}),
          scenario,
          endpoint,
          profile,
          requests,
          keys,
          oracle,
          signal,
          options: scenario.checks[id] ?? check.options.parse({}),
          http: {
            send: (req, meta, timeoutMs) => client.send(req, meta, timeoutMs),
            burst: async (items) => {
              const origin = new URL(items[0]!.request.url).origin;
              // A burst across instances (cross-instance-duplicates) has one connection per copy: last-byte release on each.
              const spread = items.some((i) => new URL(i.request.url).origin !== origin);
              let mode = spread ? 'h1-last-byte' : burstModes.get(origin);
              if (!mode) {
                // A dry run sends nothing, not even the ALPN question.
                const setting = opts.dryRun && scenario.defaults.burst.mode === 'auto' ? 'h1-last-byte' : scenario.defaults.burst.mode;
                burstModes.set(origin, (mode = await resolveBurstMode(setting, origin, scenario.defaults.timeoutMs, opts.tls)));
              }
              const r = await burstIn(mode, items, {
                clock,
                sink,
                gate,
                maxBodyBytes,
                signal,
                nextSeq: () => client.nextSeq(),
                timeoutMs: scenario.defaults.timeoutMs,
                ...(opts.tls ? { tls: opts.tls } : {}),
              });
              burstsBy.set(`${id}\u0000${endpoint.name}`, { mode: r.mode, ...(r.segments !== undefined ? { segments: r.segments } : {}) });
              return r.exchanges;
            },
            // Both readings come from one monotonic clock, so the offset is exact within the process.
            epochMs: (runMs) => performance.timeOrigin + performance.now() - clock.now() + runMs,
          },
          note: (text) => emitFor({ type: 'note', text }),
          emit: emitFor,
        };
        const applies = check.applies?.(ctx) ?? true;
        if (applies !== true) {
          push({ check: id, endpoint: endpoint.name, verdict: 'skip', level: 'observation', message: applies, reference: profile.source, evidence: [] });
          continue;
        }
        unanswered = 0;
        oracle.drainFailures();
        try {
          // Proxies a check started never outlive it, whatever happens inside.
          let findings = await check.run(ctx).finally(() => chaos.closeAll());
          await assertStillUp(id, endpoint);
          findings = gateOnOracle(findings, oracle.drainFailures());
          // One root cause, one finding: failures resting on a property the endpoint's baseline
          // disproved are reported inconclusive, naming the check that owns it.
          if (!signal.aborted && needsBaseline(findings, id)) {
            let baseline = baselines.get(endpoint.name);
            if (!baseline) {
              baseline = establishBaseline(ctx);
              baselines.set(endpoint.name, baseline);
            }
            findings = attribute(findings, await baseline, id);
          }
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
          await assertStillUp(id, endpoint);
          push({
            check: id,
            endpoint: endpoint.name,
            verdict: 'error',
            level: 'deviation',
            message: redactor.text(`check crashed: ${err instanceof Error ? err.message : String(err)}`),
            reference: profile.source,
            evidence: [],
          });
        }
      }
    }
    if (signal.aborted) incomplete = 'interrupted';
    if (scenario.observability && metricsBefore !== undefined && !signal.aborted) {
      const url = metricsUrl(scenario.observability.metrics, target.baseUrl);
      const sent: Partial<Record<Outcome, number>> = {};
      for (const byOutcome of Object.values(recorder.latency()))
        for (const [o, s] of Object.entries(byOutcome)) sent[o as Outcome] = (sent[o as Outcome] ?? 0) + (s?.count ?? 0);
      try {
        observability = judgeObservability(
          url,
          metricsBefore,
          await scrape(url, scenario.defaults.timeoutMs, signal, opts.tls),
          sent,
          scenario.observability.series ?? {},
        );
      } catch (err) {
        observability = { metrics: url, series: [], error: err instanceof Error ? err.message : String(err) };
      }
    }
  } catch (err) {
    // An unreachable target still gets a report: CI keeps the evidence of what was tried.
    if (!(err instanceof TargetUnreachableError)) {
      await historyWriter?.close();
      recorder.close();
      throw err;
    }
    unreachable = redactor.text(err.message);
  } finally {
    await client.close();
    await chaosRuntime.close();
    await instances?.close();
    await target.close();
    await downstream.close();
  }

  // An inconclusive result blames its owner; when the owner does not report the root cause on that
  // endpoint in this run (not selected, skipped, errored or passed), the failure stands (audit/ownership.ts).
  const settled = settleOwnership(results, (evidence) => reproduction(evidence, false, opts.tls));
  const { exchanges, dropped } = recorder.exchanges();
  const stoppedBy = unreachable
    ? 'unreachable'
    : guard.reason === undefined
      ? undefined
      : guard.reason === 'interrupted'
        ? 'interrupted'
        : guard.reason.startsWith('bail-out')
          ? 'bail-out'
          : 'request-cap';
  const summary = summarize(settled, failOn, unreachable ?? (incomplete ? (guard.reason ?? incomplete) : undefined), stoppedBy);
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
    endpoints: scenario.endpoints.map(({ name, method, path, risk, keyRequired }) => {
      const source = scenario.endpointPositions?.[name];
      return { name, method, path: redactor.url(path), risk, keyRequired, ...(source ? { source } : {}) };
    }),
    target: redactor.url(target.label),
    profile: profile.id,
    seed,
    startedAt: clock.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.round(clock.now()),
    summary,
    results: settled,
    latency: recorder.latency(),
    latencyHistograms: recorder.encodedLatency(),
    ...(observability ? { observability } : {}),
    exchanges,
    exchangesDropped: dropped,
  };
  const history = await historyWriter?.close();
  if (history) report.history = history;
  recorder.close();
  for (const [endpoint, load] of loads) attachLoadOutcome(report, endpoint, load);
  return report;
}
