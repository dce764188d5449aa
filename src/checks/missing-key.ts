// A mutation without a key: rejected (400 under ietf-07) where the key is required.
import type { Exchange } from '../core/exchange.js';
import { isSuccess, statusOf } from '../core/exchange.js';
import type { Profile } from '../profiles/index.js';
import type { Endpoint } from '../scenario/schema.js';
import { is5xx } from './compare.js';
import { send } from './send.js';
import { defineCheck, finding, type Finding } from './api.js';

import { MissingKeyOptions as Options } from '../scenario/check-options/missing-key.js';

export function judgeMissingKey(e: Exchange, endpoint: Endpoint, profile: Profile): Finding[] {
  const cite = profile.cite.missingKey;
  if (!e.response) return [finding('error', 'deviation', `the keyless request got no response (${e.error})`, cite, [e])];
  if (is5xx(e)) return [finding('fail', 'violation', `a request without a key answered ${e.response.status}`, cite, [e])];
  const required = endpoint.keyRequired === 'mandatory' || (endpoint.keyRequired === 'expected' && profile.keyRequired);
  if (!required) {
    return [finding('pass', 'observation', `key not required here; a keyless request answered ${e.response.status}`, cite, [e])];
  }
  const level = endpoint.keyRequired === 'mandatory' ? 'violation' : 'deviation';
  if (isSuccess(e)) return [finding('fail', level, `a request without a key was executed (${e.response.status})`, cite, [e])];
  if (!profile.expect.missingKey.includes(e.response.status)) {
    return [
      finding(
        'fail',
        'deviation',
        `a request without a key answered ${e.response.status} where ${profile.id} expects ${profile.expect.missingKey.join(' or ')}`,
        cite,
        [e],
      ),
    ];
  }
  return [finding('pass', level, `a request without a key was rejected with ${statusOf(e)}`, cite, [e])];
}

export const missingKey = defineCheck<Options>({
  id: 'missing-key',
  title: 'Missing key',
  summary: 'key omitted on a mutation: rejected with 400 where the profile or scenario requires a key',
  options: Options,
  async run(ctx) {
    const e = await send(ctx, 'no key', { key: null });
    return judgeMissingKey(e, ctx.endpoint, ctx.profile);
  },
});
