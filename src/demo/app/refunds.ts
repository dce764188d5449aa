// POST /refunds and GET /refunds/:id: a second mutation, so a key reused across endpoints can be
// tested. The payment is not looked up: the demo only needs a distinct side effect.
import { RefundInput } from './validation.js';
import type { MutationSpec } from './mutation.js';

export const refundMutation: MutationSpec<RefundInput> = {
  schema: RefundInput,
  idPrefix: 're',
  collection: '/refunds',
  store: (app) => app.refunds,
  render: (input, id, created) => ({
    id,
    payment: input.payment,
    amount: input.amount,
    status: 'succeeded',
    created,
  }),
};
