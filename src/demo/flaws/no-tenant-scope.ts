// no-tenant-scope: the store key is the idempotency key alone, so another credential reusing a key
// receives the first tenant's stored response.
import { defineFlaw } from './types.js';

export const noTenantScope = defineFlaw({
  name: 'no-tenant-scope',
  description: "keys not scoped to the tenant: another credential's reuse replays the first tenant's response",
  bugClass: 'tenant-scope',
  level: 'violation',
  caughtBy: ['cross-tenant'],
  apply: (base) => ({ ...base, scope: (_tenant, key) => key }),
});
