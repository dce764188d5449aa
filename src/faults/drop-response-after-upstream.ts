// drop-response-after-upstream: the lost response. The upstream receives the request and finishes
// it completely (side effect committed), then the client's connection is reset without an answer,
// so a correct client must retry with the same key and get the stored result back.
import { defineFault } from './types.js';
import { DropResponseSpecSchema } from '../scenario/fault-specs.js';

export { DropResponseSpecSchema };

export const dropResponseAfterUpstream = defineFault({
  name: 'drop-response-after-upstream',
  description: 'forward, let the upstream finish, then reset the client connection without answering',
  schema: DropResponseSpecSchema,
  async inject(ctx) {
    const response = await ctx.sendUpstream();
    await ctx.drain(response);
    ctx.emit({ upstreamStatuses: [response.status] });
    ctx.reset();
  },
});
