// duplicate-upstream: a retrying gateway. The same request goes upstream twice (concurrently, or
// `delayMs` apart as after a per-try timeout) and the client gets the first answer. The client is
// answered only once both upstream exchanges have finished, so a side-effect probe made after the
// answer already sees every execution the duplicate caused.
import { filterResponseHeaders } from './headers.js';
import { defineFault, type FaultContext, type UpstreamResponse } from './types.js';
import { DuplicateUpstreamSpecSchema } from '../scenario/fault-specs.js';

export { DuplicateUpstreamSpecSchema };

interface Buffered {
  response: UpstreamResponse;
  body: Buffer;
}

async function sendAndCollect(ctx: FaultContext, body: Buffer): Promise<Buffered> {
  const response = await ctx.sendUpstream(body);
  return { response, body: await ctx.collect(response) };
}

export const duplicateUpstream = defineFault({
  name: 'duplicate-upstream',
  description: 'send the request upstream twice (delayMs apart, default concurrently) and answer with the first response',
  schema: DuplicateUpstreamSpecSchema,
  async inject(ctx, spec) {
    const body = await ctx.readBody();
    const first = sendAndCollect(ctx, body);
    // The copy goes out even if the client has gone: a gateway retries on its own schedule.
    const second = ctx.wait(spec.delayMs).then((elapsed) => {
      if (!elapsed) throw new Error('fault proxy closed before the duplicate was sent');
      return sendAndCollect(ctx, body);
    });
    const [a, b] = await Promise.allSettled([first, second]);
    const answered = [a, b].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    ctx.emit({ upstreamStatuses: answered.map((x) => x.response.status) });
    const chosen = answered[0];
    if (!chosen) throw (a as PromiseRejectedResult).reason;
    // The upstream's content-length (if any) is still exact: the body is replayed byte for byte.
    ctx.res.writeHead(chosen.response.status, filterResponseHeaders(chosen.response.headers));
    ctx.res.end(chosen.body);
  },
});
