// truncate-body: the status and headers arrive with the full content-length, then the connection
// closes after half the body. A client that trusts the status line and ignores the broken body
// records a success it never fully received; a careful one treats it as unknown and retries.
import { filterResponseHeaders } from './headers.js';
import { defineFault } from './types.js';
import { TruncateBodySpecSchema } from '../scenario/fault-specs.js';

export { TruncateBodySpecSchema };

export const truncateBody = defineFault({
  name: 'truncate-body',
  description: 'forward, send the status and headers with the full content-length but only half the body, then close',
  schema: TruncateBodySpecSchema,
  async inject(ctx) {
    const response = await ctx.sendUpstream();
    // Buffered (bounded) because a chunked upstream body has no length to announce until it ends.
    const body = await ctx.collect(response);
    ctx.emit({ upstreamStatuses: [response.status] });
    const headers = filterResponseHeaders(response.headers);
    if (body.length > 0) {
      headers['content-length'] = String(body.length);
    } else {
      // Nothing to halve: announce a chunked body and never finish it, which is just as incomplete.
      delete headers['content-length'];
    }
    ctx.res.writeHead(response.status, headers);
    ctx.res.flushHeaders();
    const half = body.subarray(0, Math.floor(body.length / 2));
    if (half.length > 0) ctx.res.write(half);
    ctx.hangUp();
  },
});
