// no-key-required: a mutation without a key runs unprotected instead of being refused with 400.
import { defineFlaw } from './types.js';

export const noKeyRequired = defineFlaw({
  name: 'no-key-required',
  description: 'requests without a key run unprotected instead of 400',
  bugClass: 'key-policy',
  level: 'deviation',
  caughtBy: ['missing-key'],
  apply: (base) => ({ ...base, keyRequired: () => false }),
});
