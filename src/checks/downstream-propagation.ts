// Does the idempotency key (or a stable derivation of it) and a correlation id reach the dependency on
// the first call? Two logical requests, each with a fresh key and a fresh correlation id: each must
// reach the dependency carrying a key (the client's own under `derivation: same`) and the same
// correlation id, and the two keys must differ (one key for two payments makes the dependency
// answer the second with the first one's result). The header names the calls carried are observed.
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import type { RecordedCall } from '../downstream/index.js';
import { DownstreamPropagationOptions as Options } from '../scenario/check-options/downstream-propagation.js';
import { defineCheck, finding, type Finding } from './api.js';
import { callFact, describeCalls, downstreamApplies, recording } from './downstream/calls.js';
import type { DownstreamBinding } from './downstream/port.js';
import { exchangeMeta } from './send.js';

const CITE = 'GUIDE section 6: cross-service propagation (maturity L3)';

export interface PropagationSample {
  /** The client's key and the correlation id sent with it. */
  key: string;
  correlationId: string;
  exchange: Exchange;
  /** Calls the dependency recorded while A handled the request. */
  calls: RecordedCall[];
}

/** Pure: the verdicts on one dependency from two (or more) logical requests. */
export function judgePropagation(b: Pick<DownstreamBinding, 'name' | 'declared'> & { url: string }, samples: PropagationSample[], opts: Options): Finding[] {
  const dep = `${b.name} (${b.url})`;
  const exchanges = samples.map((s) => s.exchange);
  const names = [...new Set(samples.flatMap((s) => s.calls.flatMap((c) => c.headerNames)))].sort();
  const facts: Record<string, unknown> = {
    downstream: b.name,
    keyHeader: b.declared.keyHeader,
    correlationHeader: b.declared.correlationHeader,
    derivation: b.declared.derivation,
    headerNames: names,
    calls: samples.flatMap((s) => s.calls.map(callFact)),
  };
  const answered = samples.filter((s) => isSuccess(s.exchange));
  if (answered.length < samples.length) {
    const bad = samples.find((s) => !isSuccess(s.exchange))!;
    return [finding('error', 'deviation', `the request failed (${statusOf(bad.exchange)}), so propagation to ${dep} cannot be judged`, CITE, exchanges, facts)];
  }
  if (samples.every((s) => s.calls.length === 0)) {
    return [
      finding(
        'error',
        'deviation',
        `${dep} recorded no call while the app handled ${samples.length} requests: is the app configured to call it (and does this endpoint call it)?`,
        CITE,
        exchanges,
        facts,
      ),
    ];
  }
  const findings: Finding[] = [];
  const keyHeader = b.declared.keyHeader;
  for (const s of samples) {
    const first = s.calls[0];
    if (!first) {
      findings.push(finding('fail', 'deviation', `request with key ${s.key} reached the app, but the app never called ${dep}`, CITE, [s.exchange], facts));
      continue;
    }
    if (first.key === null) {
      findings.push(
        finding(
          'fail',
          'violation',
          `the first call to ${dep} carried no ${keyHeader} (client key ${s.key}): the dependency cannot dedupe a retry, so it charges again`,
          CITE,
          [s.exchange],
          facts,
        ),
      );
    } else if (b.declared.derivation === 'same' && first.key !== s.key) {
      findings.push(
        finding(
          'fail',
          'violation',
          `the first call to ${dep} carried ${keyHeader} ${first.key}, not the client's key ${s.key} (derivation: same)`,
          CITE,
          [s.exchange],
          facts,
        ),
      );
    }
    if (first.correlationId !== s.correlationId) {
      const seen = first.correlationId === null ? `no ${b.declared.correlationHeader}` : `${b.declared.correlationHeader} ${first.correlationId}`;
      const level = opts.requireCorrelation ? 'deviation' : 'observation';
      findings.push(
        finding(
          level === 'deviation' ? 'fail' : 'pass',
          level,
          `the correlation id ${s.correlationId} sent to the app did not reach ${dep} (its first call carried ${seen})`,
          CITE,
          [s.exchange],
          facts,
        ),
      );
    }
  }
  // Two logical requests that reach the dependency under one key are one effect to it: the second payment is lost.
  const keys = samples.map((s) => s.calls[0]?.key).filter((k): k is string => typeof k === 'string');
  if (keys.length === samples.length && new Set(keys).size < keys.length) {
    findings.push(
      finding(
        'fail',
        'violation',
        `two requests with different client keys reached ${dep} with the same ${keyHeader} ${keys[0]}: the dependency would answer the second with the first one's result`,
        CITE,
        exchanges,
        facts,
      ),
    );
  }
  if (findings.some((f) => f.verdict === 'fail')) return findings;
  const how = b.declared.derivation === 'same' ? 'the client key itself' : 'a key per logical request';
  return [
    finding(
      'pass',
      'violation',
      `${samples.length} requests reached ${dep} with ${how} in ${keyHeader} and their correlation id; header names seen: ${names.join(', ')} (${describeCalls(samples.flatMap((s) => s.calls))})`,
      CITE,
      exchanges,
      facts,
    ),
    ...findings,
  ];
}

export const downstreamPropagation = defineCheck<Options>({
  id: 'downstream-propagation',
  title: 'Downstream propagation',
  summary: 'the idempotency key (or a stable derivation) and a correlation id reach the dependency on the first call; header names observed',
  options: Options,
  declaredOnly: true,
  applies: (ctx) => downstreamApplies(ctx),
  async run(ctx) {
    const bindings = ctx.downstream!.forEndpoint(ctx.endpoint.name);
    const samples = new Map<string, PropagationSample[]>(bindings.map((b) => [b.name, []]));
    for (let i = 1; i <= 2 && !ctx.signal.aborted; i++) {
      const key = ctx.keys.next();
      const correlationId = `idemaudit-${ctx.keys.next()}`;
      const body = ctx.requests.renderBody(ctx.endpoint, { key });
      const req = ctx.requests.build({ endpoint: ctx.endpoint, key, ...(body ? { body } : {}) });
      // One correlation header per dependency name; usually all dependencies expect the same one.
      for (const b of bindings) req.headers[b.declared.correlationHeader.toLowerCase()] = correlationId;
      const { value: exchange, calls } = await recording(bindings, () => ctx.http.send(req, exchangeMeta(ctx, `request ${i}/2`, key)));
      for (const b of bindings) samples.get(b.name)!.push({ key, correlationId, exchange, calls: calls.get(b.name) ?? [] });
    }
    return bindings.flatMap((b) => judgePropagation({ name: b.name, declared: b.declared, url: b.url }, samples.get(b.name)!, ctx.options));
  },
});
