// Who a request belongs to. Keys are scoped to it (draft section 5: the key is only unique per client),
// so two credentials reusing one key never see each other's results.
import { sha256Hex } from './hash.js';
import { singleHeader } from './headers.js';
import type { RequestHeaders } from './types.js';

export type TenantOf = (headers: RequestHeaders) => string;

export const ANONYMOUS_TENANT = 'anonymous';

/** SHA-256 of the Authorization header, so the credential itself is never stored or logged. */
export const tenantFromAuthorization: TenantOf = (headers) => {
  const authorization = singleHeader(headers, 'authorization');
  return authorization ? sha256Hex(authorization) : ANONYMOUS_TENANT;
};
