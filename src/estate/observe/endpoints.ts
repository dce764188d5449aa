// Which endpoint a request path belongs to: the spec's path template when one matches, else the
// path with id-like segments collapsed to {id}. The number of distinct endpoints is capped so a
// log full of unique paths cannot grow memory without bound.

export interface TemplateMatcher {
  (method: string, path: string): string;
}

interface Compiled {
  template: string;
  re: RegExp;
  literals: number;
}

function compile(template: string): Compiled {
  const segments = template.split('/');
  const re = segments.map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return { template, re: new RegExp(`^${re}/?$`), literals: segments.filter((s) => s && !s.startsWith('{')).length };
}

const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[A-Za-z]{1,8}_[A-Za-z0-9]{6,}|[A-Za-z0-9_-]{20,})$/i;

/** /payments/pay_8f3k2j9x/capture -> /payments/{id}/capture */
export function collapseIds(path: string): string {
  // Every id-like segment has a digit: a path without one is its own endpoint.
  if (!/\d/.test(path)) return path || '/';
  let out = '';
  let start = 0;
  while (start <= path.length) {
    let end = path.indexOf('/', start);
    if (end < 0) end = path.length;
    const segment = path.slice(start, end);
    out += (start > 0 ? '/' : '') + (/\d/.test(segment) && ID_SEGMENT.test(segment) ? '{id}' : segment);
    start = end + 1;
  }
  return out || '/';
}

export function templateMatcher(templates: string[], opts: { maxEndpoints?: number } = {}): TemplateMatcher {
  // Most literal segments first: /payments/search beats /payments/{id}.
  const compiled = templates.map(compile).sort((a, b) => b.literals - a.literals);
  const seen = new Set<string>();
  const max = opts.maxEndpoints ?? 500;
  return (_method, path) => {
    const hit = compiled.length === 0 ? undefined : compiled.find((c) => c.re.test(path));
    const endpoint = hit ? hit.template : collapseIds(path);
    if (seen.has(endpoint)) return endpoint;
    if (seen.size >= max) return '(other paths)';
    seen.add(endpoint);
    return endpoint;
  };
}
