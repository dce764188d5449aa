// The route of a request, the `route` label of the metrics and the per-endpoint storage accounting.
// It must come from a bounded set: a raw path with ids in it would create one series per resource.
import type { LayerRequest } from './types.js';

export type RouteOf = (req: LayerRequest) => string;

/** A segment that names one resource rather than a collection: digits, UUIDs, long hex or mixed tokens. */
const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}|(?=[^/]*\d)[\w.~-]{8,})$/i;
const MAX_SEGMENTS = 6;

/** The path without query, each id-like segment as `:id`, at most 6 segments (the rest as `*`). */
export function normalisedRoute(path: string): string {
  const bare = path.split(/[?#]/, 1)[0] ?? '/';
  const segments = bare.split('/').filter((segment) => segment.length > 0);
  const shown = segments.slice(0, MAX_SEGMENTS).map((segment) => (ID_SEGMENT.test(segment) ? ':id' : segment));
  if (segments.length > MAX_SEGMENTS) shown.push('*');
  return `/${shown.join('/')}`;
}

/**
 * Recently seen paths and their routes: most traffic hits a few paths, and normalising costs a split,
 * a regex per segment and a join per request. Bounded: emptied when full (paths with ids in them
 * never repeat, so an LRU would buy nothing for them).
 */
const ROUTE_CACHE_SIZE = 1024;
const routeCache = new Map<string, string>();

function cachedRoute(path: string): string {
  let route = routeCache.get(path);
  if (route === undefined) {
    route = normalisedRoute(path);
    if (routeCache.size >= ROUTE_CACHE_SIZE) routeCache.clear();
    routeCache.set(path, route);
  }
  return route;
}

/** The adapter's route pattern when it knows one, else the normalised path. */
export const defaultRouteOf: RouteOf = (req) => req.route ?? cachedRoute(req.path);
