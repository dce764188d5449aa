// Who a request belongs to. Keys are scoped to it (draft section 5: the key is only unique per client),
// so two principals reusing one key never see each other's results. The app says who the principal
// is (tenantOf): only the app knows that a refreshed token, a rotated API-key secret or a new session
// cookie still belong to the same account.
import { sha256Hex } from './hash.js';
import { singleHeader } from './headers.js';
import type { LayerRequest, RequestHeaders } from './types.js';

/** The principal a request belongs to: a stable id the app vouches for (JWT `sub`, API-key id, session user). */
export type TenantOf = (req: LayerRequest) => string;

export const ANONYMOUS_TENANT = 'anonymous';
/** The one scope of `scope: 'global'` (a single-tenant service). */
export const GLOBAL_TENANT = 'global';

/**
 * SHA-256 of the whole Authorization header. Only right where that header is the principal itself
 * (a static API key); a bearer token changes on refresh, so the same user would get a new scope and
 * a retry would run again. The demo server uses it explicitly: its auth rule is "the header is the tenant".
 */
export function tenantFromAuthorization(headers: RequestHeaders): string {
  const authorization = singleHeader(headers, 'authorization');
  return authorization ? sha256Hex(authorization) : ANONYMOUS_TENANT;
}
