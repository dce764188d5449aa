// reset-before-upstream: the control case for lost responses. The connection is reset before the
// upstream is contacted, so nothing can have executed and a retry must run the request once.
import { defineFault } from './types.js';
import { ResetBeforeUpstreamSpecSchema } from '../scenario/fault-specs.js';

export { ResetBeforeUpstreamSpecSchema };

export const resetBeforeUpstream = defineFault({
  name: 'reset-before-upstream',
  description: 'reset the client connection before contacting the upstream (control case: nothing executed)',
  schema: ResetBeforeUpstreamSpecSchema,
  async inject(ctx) {
    ctx.emit();
    ctx.reset();
  },
});
