// header-drop: the replay keeps the status and body but loses Location, ETag and the other headers
// a client needs, except Content-Type.
import { defineFlaw } from './types.js';
import type { ResponseEnvelope } from '../../reference/layer/types.js';

export function keepOnlyContentType(response: ResponseEnvelope): ResponseEnvelope {
  const headers: ResponseEnvelope['headers'] = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (name.toLowerCase() === 'content-type') headers[name] = value;
  }
  return { ...response, headers };
}

export const headerDrop = defineFlaw({
  name: 'header-drop',
  description: 'replay drops Location, ETag and other must-replay headers (keeps Content-Type)',
  bugClass: 'replay-fidelity',
  level: 'deviation',
  caughtBy: ['sequential-replay'],
  apply: (base) => ({ ...base, renderReplay: (stored) => keepOnlyContentType(base.renderReplay(stored)) }),
});
