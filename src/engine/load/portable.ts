// A load request template that can cross into a worker thread: functions cannot be cloned, so the
// body is described as data (a pool of pre-rendered bodies, or the endpoint's template rendered
// per key) and turned back into LoadRequestTemplate.body inside the worker.
import { createRng } from '../../core/rng.js';
import { renderTemplate } from '../../scenario/template.js';
import type { LoadOptions, LoadRequestTemplate } from './types.js';

export type PortableBody =
  /** No body. */
  | { kind: 'none' }
  /** Bodies cycled by the fresh key's number (templates without {{key}} render once per pool entry). */
  | { kind: 'pool'; pool: Buffer[] }
  /** A body template that uses {{key}}: rendered for every fresh key, with these variables. */
  | { kind: 'per-key'; template: unknown; tenant?: string; seed: string };

export type PortableTemplate = Omit<LoadRequestTemplate, 'body'> & { body: PortableBody };

/** LoadOptions minus what cannot cross a thread (the body function, the signal, the progress callback). */
export type PortableLoadOptions = Omit<LoadOptions, 'template' | 'signal' | 'onProgress'> & { template: PortableTemplate };

/** The template a worker runs with. `stream` makes per-key renders of each worker their own draw. */
export function templateOf(p: PortableTemplate, stream: string): LoadRequestTemplate {
  const { body: spec, ...rest } = p;
  let body: LoadRequestTemplate['body'];
  switch (spec.kind) {
    case 'none':
      body = () => undefined;
      break;
    case 'pool': {
      const pool = spec.pool.map((b) =>
        Buffer.isBuffer(b) ? b : Buffer.from((b as Uint8Array).buffer, (b as Uint8Array).byteOffset, (b as Uint8Array).byteLength),
      );
      body = (n) => (pool.length === 0 ? undefined : pool[n % pool.length]);
      break;
    }
    case 'per-key': {
      const rng = createRng(`${spec.seed}/body/${stream}`);
      body = (n, key) => {
        const value = renderTemplate(spec.template, {
          seq: n,
          key,
          ...(spec.tenant ? { tenant: spec.tenant } : {}),
          uuid: () => rng.uuid(),
          random: () => rng.hex(8),
        });
        return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
      };
      break;
    }
  }
  return { ...rest, body };
}
