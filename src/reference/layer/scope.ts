// The store key for (tenant, idempotency key). The tenant is percent-encoded, so it cannot contain
// the separator and a key such as "x:y" can never be confused with tenant "x", key "y".
export function scopedStoreKey(tenant: string, key: string): string {
  return `${encodeURIComponent(tenant)}:${key}`;
}
