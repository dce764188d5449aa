// regenerate: the replay is re-rendered instead of replayed byte for byte, as implementations that
// store only a resource id and re-serialise it do. The side effect does not run again, but the
// client sees fresh timestamps, so the replay is not the response it missed.
import { defineFlaw } from './types.js';
import type { ResponseEnvelope } from '../../reference/layer/types.js';

const VOLATILE_FIELDS = ['created', 'created_at', 'createdAt', 'updated_at', 'timestamp'];

/**
 * Bodies that are not a JSON object are returned unchanged: there is nothing to re-render. A JSON
 * object always comes back with other bytes: a replay within the original's millisecond gets the next
 * millisecond's stamp, so the flaw is seen on every replay (the detection matrix depends on it), not
 * only on those that cross a millisecond boundary.
 */
export function rerenderJsonBody(body: Buffer, now: Date = new Date()): Buffer {
  const first = rerender(body, now);
  return first.equals(body) ? rerender(body, new Date(now.getTime() + 1)) : first;
}

function rerender(body: Buffer, now: Date): Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return body;
  const doc = parsed as Record<string, unknown>;
  const stamp = now.toISOString();
  let touched = false;
  for (const field of VOLATILE_FIELDS) {
    if (field in doc) {
      doc[field] = stamp;
      touched = true;
    }
  }
  if (!touched) doc.rendered_at = stamp;
  return Buffer.from(JSON.stringify(doc));
}

export const regenerate = defineFlaw({
  name: 'regenerate',
  description: 'replay re-renders the body (fresh timestamps) instead of returning the stored bytes',
  bugClass: 'replay-fidelity',
  level: 'violation',
  caughtBy: ['sequential-replay'],
  apply: (base) => ({
    ...base,
    renderReplay: (stored): ResponseEnvelope => {
      const replay = base.renderReplay(stored);
      return { ...replay, body: rerenderJsonBody(replay.body) };
    },
  }),
});
