// POST /payments and GET /payments/:id.
import { PaymentInput } from './validation.js';
import type { MutationSpec } from './mutation.js';

export const paymentMutation: MutationSpec<PaymentInput> = {
  schema: PaymentInput,
  idPrefix: 'pay',
  collection: '/payments',
  store: (app) => app.payments,
  render: (input, id, created) => ({
    id,
    amount: input.amount,
    currency: input.currency.toUpperCase(),
    status: 'succeeded',
    created,
  }),
  downstreamBody: (input) => ({ amount: input.amount, currency: input.currency.toUpperCase() }),
};
