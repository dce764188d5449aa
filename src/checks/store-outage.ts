// The idempotency store becomes unavailable for a while (GUIDE section 6: "store unavailable -> fail
// closed for critical writes"). Triggered through the reference server's switch
// (POST /_idemaudit/faults/store-outage?ms=N) or a scenario hook. During the outage a mutation with a
// fresh key and a retry of a key committed before must be refused with a 5xx and execute nothing;
// a mutation that executes anyway is the fail-open bug: a violation on critical endpoints, a
// deviation on others. After the outage, retrying both keys must give exactly one execution each.
import { statusTally } from './compare.js';
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import { counterexampleSeqs, minimalCounterexample } from './chaos/derive.js';
import { readOracle } from './chaos/observe.js';
import { runPath, sendAttempt } from './chaos/path.js';
import { sequenceOf } from './chaos/sequence.js';
import { notSent } from './chaos/plan.js';
import type { HistoryOp } from '../engine/history.js';
import type { StopReason } from '../engine/retry/index.js';
import { sleep } from '../engine/sleep.js';
import type { Profile } from '../profiles/index.js';
import type { Endpoint } from '../scenario/schema.js';
import { chaosOf, defineCheck, finding, type Finding, type Level } from './api.js';

import { StoreOutageOptions as Options } from '../scenario/check-options/store-outage.js';

export type OutageKind = 'fresh' | 'committed';

export interface OutageProbe {
  kind: OutageKind;
  key: string;
  /** The request sent while the store was down. */
  during: Exchange;
  /** Executions of the key before the outage request (0 for a fresh key). */
  executionsBefore: number | null;
  /** Executions of the key right after the outage request. */
  executionsDuring: number | null;
  /** Attempts after the outage, under the retry policy. */
  after: Exchange[];
  stoppedBy?: StopReason;
  /** Executions of the key once everything is over. */
  executionsAfter: number | null;
}

export interface OutageObservation {
  outageMs: number;
  via: string;
  risk: Endpoint['risk'];
  probes: OutageProbe[];
  /** The request that committed the `committed` key before the outage. */
  committedBy: Exchange;
  ops: HistoryOp[];
}

const executed = (p: OutageProbe): boolean => isSuccess(p.during) || (p.executionsDuring ?? 0) > (p.executionsBefore ?? 0);

export function judgeStoreOutage(obs: OutageObservation, profile: Profile): Finding[] {
  const cite = `${profile.cite.execution}; fail closed when the store is unavailable (GUIDE section 6, failure modes)`;
  const failOpenLevel: Level = obs.risk === 'critical' ? 'violation' : 'deviation';
  const facts: Record<string, unknown> = {
    outageMs: obs.outageMs,
    via: obs.via,
    risk: obs.risk,
    during: obs.probes.map((p) => ({ kind: p.kind, key: p.key, status: statusOf(p.during), executedDuringOutage: executed(p) })),
    after: obs.probes.map((p) => {
      const firstOk = p.after.findIndex(isSuccess);
      const ok = p.after[firstOk];
      return {
        kind: p.kind,
        key: p.key,
        statuses: statusTally(p.after),
        executions: p.executionsAfter,
        stoppedBy: p.stoppedBy,
        // Counted from the request sent during the outage (attempt 1).
        retrySuccess: ok !== undefined,
        attemptsUntilSuccess: ok ? firstOk + 2 : null,
        timeToConsistentMs: ok && (p.executionsAfter ?? 0) <= 1 ? Math.round((ok.startedAt + ok.durationMs - p.during.startedAt) * 1000) / 1000 : null,
      };
    }),
    failClosed: obs.probes.every((p) => !executed(p)),
  };
  const findings: Finding[] = [];
  for (const p of obs.probes) {
    const what = p.kind === 'fresh' ? 'a mutation with a fresh key' : 'a retry of a key committed before the outage';
    if (executed(p)) {
      findings.push(
        finding(
          'fail',
          failOpenLevel,
          `${what} executed during the store outage (${statusOf(p.during)}): the endpoint fails open${obs.risk === 'critical' ? ' on a critical write' : ` (risk ${obs.risk})`}`,
          cite,
          [p.during],
          { ...facts, key: p.key, sequence: sequenceOf(obs.ops, p.key) },
        ),
      );
    } else if (!p.during.response || p.during.response.status < 500) {
      const answer = p.during.response ? `answered ${p.during.response.status}` : `got no answer (${p.during.error})`;
      if (!isSuccess(p.during))
        findings.push(
          finding('fail', 'deviation', `${what} ${answer} during the store outage instead of a 5xx`, cite, [p.during], {
            ...facts,
            key: p.key,
            sequence: sequenceOf(obs.ops, p.key),
          }),
        );
    }
    if ((p.executionsAfter ?? 0) > 1) {
      const counterexample = minimalCounterexample(obs.ops, p.key);
      const seqs = new Set(counterexample ? counterexampleSeqs(counterexample) : []);
      const all = [...(p.kind === 'committed' ? [obs.committedBy] : []), p.during, ...p.after];
      const proof = all.filter((e) => seqs.has(e.seq));
      findings.push(
        finding(
          'fail',
          'violation',
          `${what}: the key executed ${p.executionsAfter} times across the outage${counterexample ? ` (${counterexample.summary})` : ''}`,
          profile.cite.execution,
          proof.length > 0 ? proof : all.slice(0, 10),
          {
            ...facts,
            key: p.key,
            sequence: sequenceOf(obs.ops, p.key),
            ...(counterexample ? { counterexample: { summary: counterexample.summary, reason: counterexample.reason, ops: counterexample.ops } } : {}),
          },
        ),
      );
    }
    const final = p.after.at(-1);
    if (!final || !isSuccess(final)) {
      findings.push(
        finding(
          'fail',
          'deviation',
          `${what}: after the outage the retry did not succeed (${statusTally(p.after) || 'not sent'}, stopped by ${p.stoppedBy ?? '?'})`,
          cite,
          p.after.slice(-3),
          { ...facts, key: p.key, sequence: sequenceOf(obs.ops, p.key) },
        ),
      );
    }
  }
  if (findings.length > 0) return findings;
  if (obs.probes.some((p) => p.executionsAfter === null)) {
    return [finding('skip', 'violation', 'no side-effect oracle could count executions: declare `identity` or `probe` on the endpoint', cite, [], facts)];
  }
  const during = obs.probes.map((p) => statusOf(p.during)).join(', ');
  return [
    finding(
      'pass',
      'violation',
      `fail closed: during a ${obs.outageMs} ms store outage (${obs.via}) the mutations were refused (${during}) and nothing executed; afterwards each key executed once`,
      cite,
      [obs.committedBy, ...obs.probes.flatMap((p) => [p.during, ...p.after.slice(-1)])],
      facts,
    ),
  ];
}

export const storeOutage = defineCheck<Options>({
  id: 'store-outage',
  title: 'Store outage',
  summary: 'the idempotency store fails for a while: mutations refused with 5xx (fail closed), then exactly one execution per key',
  options: Options,
  declaredOnly: true,
  async run(ctx) {
    const chaos = chaosOf(ctx);
    const cite = ctx.profile.cite.execution;
    if (!(await chaos.hasStoreOutage())) {
      return [
        finding(
          'skip',
          'observation',
          'the target offers no way to make its store unavailable: declare hooks.storeOutage in the scenario (the reference server has its own switch)',
          cite,
          [],
        ),
      ];
    }
    const timeoutMs = ctx.scenario.defaults.timeoutMs;
    const process = `store-outage/${ctx.endpoint.name}`;
    const ops: HistoryOp[] = [];

    // A key committed before the outage, to be retried during it.
    const committedKey = ctx.keys.next();
    const committedBody = ctx.requests.renderBody(ctx.endpoint, { key: committedKey });
    const create = await sendAttempt(
      ctx,
      chaos,
      { process: `${process}/committed`, key: committedKey, body: committedBody, role: 'before', label: 'before the outage' },
      1,
      { timeoutMs },
    );
    ops.push(create.invoke, create.completion);
    if (notSent(create.exchange)) return [];
    if (!isSuccess(create.exchange)) {
      return [
        finding('error', 'deviation', `the request before the outage failed (${statusOf(create.exchange)}), so the outage cannot be judged`, cite, [
          create.exchange,
        ]),
      ];
    }
    const freshKey = ctx.keys.next();
    const freshBody = ctx.requests.renderBody(ctx.endpoint, { key: freshKey });

    chaos.emit({ type: 'inject', round: `${ctx.options.outageMs} ms`, faults: ['store outage'] });
    const outage = await chaos.storeOutage(ctx.options.outageMs);
    if (!outage) return [finding('skip', 'observation', 'the store-outage switch disappeared', cite, [])];
    ops.push(chaos.record({ type: 'fault', process: 'nemesis', f: 'store-outage', delayMs: ctx.options.outageMs }));

    const plan: Array<{ kind: OutageKind; key: string; body: Buffer | undefined; before: number | null }> = [
      { kind: 'fresh', key: freshKey, body: freshBody, before: 0 },
      { kind: 'committed', key: committedKey, body: committedBody, before: 1 },
    ];
    const during: Exchange[] = [];
    for (const p of plan) {
      const sent = await sendAttempt(ctx, chaos, { process: `${process}/${p.kind}`, key: p.key, body: p.body, role: 'outage', label: 'during the outage' }, 1, {
        timeoutMs,
      });
      ops.push(sent.invoke, sent.completion);
      during.push(sent.exchange);
    }
    if (Date.now() > outage.until) ctx.note('the outage ended before every request was answered');
    const duringCounts = await Promise.all(
      plan.map(async (p, i) => {
        const read = await readOracle(ctx, chaos, p.key, p.kind === 'committed' ? [create.exchange, during[i]!] : [during[i]!]);
        ops.push(...read.ops);
        return read.count.executions;
      }),
    );

    await sleep(outage.until - Date.now() + ctx.options.settleMs, ctx.signal);
    if (ctx.signal.aborted) return [];
    const probes: OutageProbe[] = [];
    for (const [i, p] of plan.entries()) {
      const path = await runPath(ctx, chaos, {
        process: `${process}/${p.kind}`,
        key: p.key,
        body: p.body,
        role: 'after',
        label: 'after the outage',
        route: () => ({ timeoutMs }),
      });
      ops.push(...path.ops);
      const exchanges = [...(p.kind === 'committed' ? [create.exchange] : []), during[i]!, ...path.attempts.map((a) => a.exchange)];
      const read = await readOracle(ctx, chaos, p.key, exchanges);
      ops.push(...read.ops);
      probes.push({
        kind: p.kind,
        key: p.key,
        during: during[i]!,
        executionsBefore: p.before,
        executionsDuring: duringCounts[i] ?? null,
        after: path.attempts.map((a) => a.exchange),
        stoppedBy: path.stoppedBy,
        executionsAfter: read.count.executions,
      });
    }
    return judgeStoreOutage(
      {
        outageMs: ctx.options.outageMs,
        via: outage.via,
        risk: ctx.endpoint.risk,
        probes,
        committedBy: create.exchange,
        ops: ops.sort((a, b) => a.index - b.index),
      },
      ctx.profile,
    );
  },
});
