// error-after-upstream: the service itself fails after its commit. The request is forwarded and the
// upstream finishes it (side effect done), then its answer is discarded and the client gets a 5xx
// of the proxy's (any 500..599, problem+json), as from a service that crashed while answering.
// Unlike gateway-status (a gateway's 502/503/504), the status is free: a dependency's own 500 too.
import { defineFault } from './types.js';
import { ErrorAfterUpstreamSpecSchema } from '../scenario/fault-specs.js';

export { ErrorAfterUpstreamSpecSchema };

export const errorAfterUpstream = defineFault({
  name: 'error-after-upstream',
  description: 'forward, let the upstream finish, discard its answer and answer status (any 5xx, default 500) as problem+json',
  schema: ErrorAfterUpstreamSpecSchema,
  async inject(ctx, spec) {
    const response = await ctx.sendUpstream();
    await ctx.drain(response);
    ctx.emit({ upstreamStatuses: [response.status] });
    const body = JSON.stringify({
      type: 'about:blank',
      title: 'Failure after commit',
      status: spec.status,
      detail: `the upstream answered ${response.status}; the idemaudit fault proxy discarded it and answered ${spec.status}`,
    });
    ctx.res.writeHead(spec.status, {
      'content-type': 'application/problem+json',
      'content-length': String(Buffer.byteLength(body)),
      // Lets evidence tell the proxy's answer from an upstream 5xx; clients must not rely on it.
      'x-idemaudit-fault': 'error-after-upstream',
    });
    ctx.res.end(body);
  },
});
