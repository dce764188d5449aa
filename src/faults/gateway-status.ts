// gateway-status: the upstream commits, but a gateway in between answers 502/503/504 of its own
// (a proxy timeout or a crashed hop). The client sees a retryable error for work that was done.
import { defineFault } from './types.js';
import { GatewayStatusSpecSchema } from '../scenario/fault-specs.js';

const REASONS: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

export { GatewayStatusSpecSchema };

export const gatewayStatus = defineFault({
  name: 'gateway-status',
  description: 'forward, let the upstream finish, then answer status (502 default, 503 or 504) instead of its response',
  schema: GatewayStatusSpecSchema,
  async inject(ctx, spec) {
    const response = await ctx.sendUpstream();
    await ctx.drain(response);
    ctx.emit({ upstreamStatuses: [response.status] });
    const body = `${spec.status} ${REASONS[spec.status]} (injected by the idemaudit fault proxy)\n`;
    ctx.res.writeHead(spec.status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      // Lets evidence tell the proxy's answer from an upstream 5xx; clients must not rely on it.
      'x-idemaudit-fault': 'gateway-status',
    });
    ctx.res.end(body);
  },
});
