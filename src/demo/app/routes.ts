// The demo app's routing table: one node:http handler, wrapped by the idempotency layer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeHandler, NodeRequestContext } from '../../reference/adapters/node.js';
import { sendHealth, sendLedger, sendMetrics } from './admin.js';
import type { ReferenceAppContext } from './context.js';
import { runMutation } from './mutation.js';
import { sendOpenApi } from './openapi.js';
import { paymentMutation } from './payments.js';
import { refundMutation } from './refunds.js';
import { notFound, sendJson, sendProblem } from './respond.js';

interface RouteCall {
  req: IncomingMessage;
  res: ServerResponse;
  ctx: NodeRequestContext;
  /** Captured path segments. */
  params: string[];
  url: URL;
}

interface Route {
  method: string;
  pattern: RegExp;
  run(call: RouteCall): Promise<void> | void;
}

/** A path segment percent-decoded; a malformed escape (`%`, `%E0%A4%A`) names nothing, so undefined. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function showFrom(collection: (app: ReferenceAppContext) => Map<string, Record<string, unknown>>, what: string, app: ReferenceAppContext) {
  return ({ res, params }: RouteCall): void => {
    const segment = params[0] ?? '';
    const id = decodeSegment(segment);
    const doc = id === undefined ? undefined : collection(app).get(id);
    if (doc) sendJson(res, 200, doc);
    else notFound(res, `${what} ${id ?? segment}`);
  };
}

const BASE = 'http://reference.invalid';

/**
 * The request target as a URL. An origin-form target (`/...`) is a path on this server, whatever
 * follows: resolving it against a base would read `//x` as a host and throw on `//[`. Undefined only
 * for an absolute-form target that is not a URL.
 */
function targetUrl(target: string): URL | undefined {
  try {
    return target.startsWith('/') ? new URL(`${BASE}${target}`) : new URL(target, BASE);
  } catch {
    return undefined;
  }
}

function routesOf(app: ReferenceAppContext): Route[] {
  return [
    { method: 'POST', pattern: /^\/payments$/, run: ({ req, res, ctx }) => runMutation(paymentMutation, app, req, res, ctx) },
    { method: 'GET', pattern: /^\/payments\/([^/]+)$/, run: showFrom((a) => a.payments, 'payment', app) },
    { method: 'POST', pattern: /^\/refunds$/, run: ({ req, res, ctx }) => runMutation(refundMutation, app, req, res, ctx) },
    { method: 'GET', pattern: /^\/refunds\/([^/]+)$/, run: showFrom((a) => a.refunds, 'refund', app) },
    // The ledger shows every tenant's resource ids: only with --admin.
    ...(app.admin === true
      ? [{ method: 'GET' as const, pattern: /^\/_idemaudit\/ledger$/, run: ({ res, url }: RouteCall) => sendLedger(app, res, url.searchParams) }]
      : []),
    { method: 'GET', pattern: /^\/_idemaudit\/health$/, run: ({ res }) => sendHealth(app, res) },
    { method: 'GET', pattern: /^\/metrics$/, run: ({ res }) => sendMetrics(app, res) },
    { method: 'GET', pattern: /^\/openapi\.yaml$/, run: ({ res }) => sendOpenApi(res) },
  ];
}

export function createReferenceApp(app: ReferenceAppContext): NodeHandler {
  const routes = routesOf(app);
  return async (req, res, ctx) => {
    const url = targetUrl(req.url ?? '/');
    if (!url) return notFound(res, 'the request target');
    const allowed: string[] = [];
    for (const route of routes) {
      const match = route.pattern.exec(url.pathname);
      if (!match) continue;
      if (route.method === req.method) return route.run({ req, res, ctx, params: match.slice(1), url });
      allowed.push(route.method);
    }
    if (allowed.length > 0) {
      return sendProblem(res, {
        status: 405,
        slug: 'method-not-allowed',
        title: 'Method not allowed',
        detail: `${req.method} is not supported on ${url.pathname}.`,
        headers: { allow: allowed.join(', ') },
      });
    }
    notFound(res, url.pathname);
  };
}
