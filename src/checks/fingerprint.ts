// What the target's request fingerprint treats as "different" (GUIDE section 1, observations):
// after an original, the same key is sent with semantically equal variants of the request (JSON keys
// reordered, whitespace, another numeric form, query parameters reordered). Each may be treated as
// the same request (replay) or as a different one (rejected), but never executed: one key, one run.
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import type { ExecutionCount } from '../engine/oracle.js';
import type { Profile } from '../profiles/index.js';
import type { Endpoint } from '../scenario/schema.js';
import { is5xx, isMarkedReplay } from './compare.js';
import { sameResult } from './cross-endpoint.js';
import { send } from './send.js';
import { defineCheck, finding, presumes, type Finding } from './api.js';

import { FingerprintOptions as Options, VARIANTS, type VariantName } from '../scenario/check-options/fingerprint.js';
export { VARIANTS, type VariantName };

export interface Variant {
  name: VariantName;
  body?: Buffer;
  path?: string;
}

type Obj = Record<string, unknown>;

function jsonObject(body: Buffer | undefined): Obj | undefined {
  if (!body) return undefined;
  try {
    const doc = JSON.parse(body.toString('utf8')) as unknown;
    return doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Obj) : undefined;
  } catch {
    return undefined;
  }
}

/** Serialises `doc` with the top-level field `field` written as `number` text instead of JSON's form. */
function withNumberText(doc: Obj, field: string, number: string): string {
  return `{${Object.entries(doc)
    .map(([k, v]) => `${JSON.stringify(k)}:${k === field ? number : JSON.stringify(v)}`)
    .join(',')}}`;
}

/**
 * The semantically equal variants of a request that apply to it, each with the reason it does not
 * when it does not. `body` is the original's bytes, `path` the endpoint's path.
 */
export function fingerprintVariants(
  body: Buffer | undefined,
  path: string,
  wanted: readonly VariantName[] = VARIANTS,
): { variants: Variant[]; notApplicable: Record<string, string> } {
  const variants: Variant[] = [];
  const notApplicable: Record<string, string> = {};
  const doc = jsonObject(body);
  const keys = doc ? Object.keys(doc) : [];
  const integer = doc ? keys.find((k) => Number.isSafeInteger(doc[k])) : undefined;
  for (const name of wanted) {
    switch (name) {
      case 'reordered':
        if (keys.length < 2) notApplicable[name] = 'needs a JSON object body with two fields or more';
        else variants.push({ name, body: Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(doc!).reverse()))) });
        break;
      case 'whitespace':
        if (!doc) notApplicable[name] = 'needs a JSON object body';
        else variants.push({ name, body: Buffer.from(`${JSON.stringify(doc, null, 2)}\n`) });
        break;
      case 'numeric':
        if (integer === undefined) notApplicable[name] = 'needs an integer field at the top level of a JSON body';
        else variants.push({ name, body: Buffer.from(withNumberText(doc!, integer, `${doc![integer] as number}.0`)) });
        break;
      case 'exponent':
        if (integer === undefined) notApplicable[name] = 'needs an integer field at the top level of a JSON body';
        else variants.push({ name, body: Buffer.from(withNumberText(doc!, integer, (doc![integer] as number).toExponential())) });
        break;
      case 'query-order': {
        const q = path.indexOf('?');
        const params =
          q < 0
            ? []
            : path
                .slice(q + 1)
                .split('&')
                .filter(Boolean);
        if (params.length < 2) notApplicable[name] = 'needs a path with two query parameters or more';
        else variants.push({ name, path: `${path.slice(0, q)}?${[...params].reverse().join('&')}` });
        break;
      }
    }
  }
  return { variants, notApplicable };
}

export interface FingerprintObservation {
  original: Exchange;
  variants: Array<{ name: VariantName; exchange: Exchange }>;
  count: ExecutionCount;
  notApplicable?: Record<string, string>;
}

/** `replay`, `executed`, the status of a rejection (`422`), or `no response (...)`. */
export function variantResult(original: Exchange, e: Exchange, endpoint: Endpoint): string {
  if (!e.response) return `no response (${e.error})`;
  if (!isSuccess(e)) return String(e.response.status);
  return sameResult(original, e, endpoint) || isMarkedReplay(e) ? 'replay' : 'executed';
}

export function judgeFingerprint(obs: FingerprintObservation, endpoint: Endpoint, profile: Profile): Finding[] {
  const { original, variants, count } = obs;
  const cite = profile.cite.fingerprint;
  const results = variants.map((v) => ({ ...v, result: variantResult(original, v.exchange, endpoint) }));
  const facts: Record<string, unknown> = {
    ...Object.fromEntries(results.map((r) => [r.name, r.result])),
    executions: count.executions,
    oracles: count.by,
    ...(obs.notApplicable && Object.keys(obs.notApplicable).length > 0 ? { notApplicable: obs.notApplicable } : {}),
  };
  if (!isSuccess(original)) {
    return [finding('error', 'deviation', `the original request failed (${statusOf(original)}), so the fingerprint cannot be probed`, cite, [original], facts)];
  }
  const findings: Finding[] = [];
  const executed = results.filter((r) => r.result === 'executed');
  if (executed.length > 0) {
    // A variant is a changed payload in bytes: when any changed payload under a used key executes
    // (the key is built from the body, say), that root cause belongs to payload-mismatch.
    findings.push(
      presumes(
        finding(
          'fail',
          'violation',
          `equivalent variant(s) executed under a used key: ${executed.map((r) => `${r.name} (${r.exchange.response!.status})`).join(', ')}`,
          profile.cite.execution,
          [original, ...executed.map((r) => r.exchange)],
          facts,
        ),
        'reuse-rejected',
      ),
    );
  } else if ((count.executions ?? 0) > 1) {
    findings.push(
      presumes(
        finding(
          'fail',
          'violation',
          `the key executed ${count.executions} times across the variants`,
          profile.cite.execution,
          [original, ...variants.map((v) => v.exchange)],
          facts,
        ),
        'single-execution',
      ),
    );
  }
  const fiveHundreds = results.filter((r) => is5xx(r.exchange));
  if (fiveHundreds.length > 0) {
    findings.push(
      finding(
        'fail',
        'violation',
        `variant(s) answered with a 5xx: ${fiveHundreds.map((r) => `${r.name} (${r.result})`).join(', ')}`,
        cite,
        [original, ...fiveHundreds.map((r) => r.exchange)],
        facts,
      ),
    );
  }
  const silent = results.filter((r) => !r.exchange.response);
  if (silent.length > 0) {
    findings.push(
      finding(
        'error',
        'deviation',
        `variant(s) got no response: ${silent.map((r) => `${r.name}: ${r.exchange.error}`).join(', ')}`,
        cite,
        silent.map((r) => r.exchange),
        facts,
      ),
    );
  }
  if (findings.length > 0) return findings;
  const seen = results.map((r) => `${r.name} → ${r.result === 'replay' ? 'replayed' : r.result}`).join(', ');
  return [finding('pass', 'observation', `same key, equivalent requests: ${seen}; none executed`, cite, [original, ...variants.map((v) => v.exchange)], facts)];
}

export const fingerprint = defineCheck<Options>({
  id: 'fingerprint',
  title: 'Fingerprint equivalence',
  summary: 'same key with reordered JSON, whitespace, numeric forms, query order: replayed or rejected, never executed',
  options: Options,
  async run(ctx) {
    const key = ctx.keys.next();
    const body = ctx.requests.renderBody(ctx.endpoint, { key });
    const { variants, notApplicable } = fingerprintVariants(body, ctx.endpoint.path, ctx.options.variants);
    if (variants.length === 0) {
      const why = Object.entries(notApplicable)
        .map(([n, r]) => `${n}: ${r}`)
        .join('; ');
      return [finding('skip', 'observation', `no equivalent variant applies to this endpoint (${why})`, ctx.profile.cite.fingerprint, [])];
    }
    const original = await send(ctx, 'original', { key, body });
    const sent: FingerprintObservation['variants'] = [];
    for (const v of variants) {
      if (ctx.signal.aborted) break;
      const variantBody = v.body ?? body;
      const spec = { key, ...(variantBody ? { body: variantBody } : {}), ...(v.path ? { path: v.path } : {}) };
      sent.push({ name: v.name, exchange: await send(ctx, `${v.name} variant, same key`, spec) });
    }
    const count = await ctx.oracle.count(ctx.endpoint, key, [original, ...sent.map((v) => v.exchange)]);
    return judgeFingerprint({ original, variants: sent, count, notApplicable }, ctx.endpoint, ctx.profile);
  },
});
