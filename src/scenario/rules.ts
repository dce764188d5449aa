// Rules that span several fields, checked on the raw data (before or regardless of zod) so their
// problems are reported together with the schema's. Each rule tolerates wrongly typed input: the
// schema reports those.
import { formatPath, type Finding, type Path } from './finding.js';
import { isTemplateName, placeholdersIn, TEMPLATE_NAMES, unterminatedPlaceholder } from './template.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const endpointsOf = (raw: Obj): unknown[] => (Array.isArray(raw.endpoints) ? raw.endpoints : []);

export function duplicateEndpointNames(raw: Obj, lineOf: (path: Path) => number): Finding[] {
  const first = new Map<string, number>();
  const out: Finding[] = [];
  endpointsOf(raw).forEach((ep, i) => {
    if (!isObj(ep) || typeof ep.name !== 'string') return;
    const seen = first.get(ep.name);
    if (seen === undefined) first.set(ep.name, i);
    else
      out.push({
        path: ['endpoints', i, 'name'],
        message: `duplicate endpoint name '${ep.name}' (first declared at line ${lineOf(['endpoints', seen, 'name'])})`,
      });
  });
  return out;
}

export function unknownProbeTenants(raw: Obj): Finding[] {
  const tenants = isObj(raw.tenants) ? Object.keys(raw.tenants) : [];
  const out: Finding[] = [];
  endpointsOf(raw).forEach((ep, i) => {
    const tenant = isObj(ep) && isObj(ep.probe) ? ep.probe.tenant : undefined;
    if (typeof tenant !== 'string' || tenants.includes(tenant)) return;
    const known = tenants.length > 0 ? `declared tenants: ${tenants.join(', ')}` : 'no tenants are declared under tenants:';
    out.push({ path: ['endpoints', i, 'probe', 'tenant'], message: `unknown tenant '${tenant}'; ${known}` });
  });
  return out;
}

/** Every string under `value`, with its path. */
function* strings(value: unknown, path: Path): Generator<[string, Path]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, [...path, i]);
  else if (isObj(value)) for (const [k, v] of Object.entries(value)) yield* strings(v, [...path, k]);
}

function placeholderProblem(name: string, path: Path, endpoint: Obj | undefined): string | undefined {
  if (!isTemplateName(name)) {
    return `unknown template placeholder {{${name}}}; known: ${TEMPLATE_NAMES.map((n) => `{{${n}}}`).join(', ')}`;
  }
  // The ledger is read with the key (and the tenant) of the request, nothing else.
  if ((path[0] === 'ledger' || path[0] === 'ledgerCount') && name !== 'key' && name !== 'tenant') {
    return `only {{key}} and {{tenant}} are available in ${String(path[0])}`;
  }
  if (name !== 'id') return undefined;
  // The id is read from the response with `identity`, so it exists only for the probe that follows.
  const inProbePath = path.length === 4 && path[2] === 'probe' && (path[3] === 'path' || path[3] === 'count');
  if (!inProbePath) return `{{id}} is only available in probe.path and probe.count (the id comes from the response)`;
  if (endpoint && typeof endpoint.identity !== 'string') return `{{id}} in ${formatPath(path)} needs 'identity:' on this endpoint`;
  return undefined;
}

/** Request-time placeholders are checked at load time, where the string's position is known. */
export function templateProblems(raw: Obj): Finding[] {
  // Only the fields the engine renders: a `{{` in a name or a pointer is the schema's business.
  const roots: [unknown, Path, Obj | undefined][] = [];
  if (isObj(raw.defaults)) roots.push([raw.defaults.headers, ['defaults', 'headers'], undefined]);
  if (isObj(raw.tenants)) {
    for (const [t, v] of Object.entries(raw.tenants)) roots.push([isObj(v) ? v.headers : undefined, ['tenants', t, 'headers'], undefined]);
  }
  endpointsOf(raw).forEach((ep, i) => {
    if (!isObj(ep)) return;
    for (const field of ['path', 'headers', 'body']) roots.push([ep[field], ['endpoints', i, field], ep]);
    if (isObj(ep.probe)) roots.push([ep.probe.path, ['endpoints', i, 'probe', 'path'], ep], [ep.probe.count, ['endpoints', i, 'probe', 'count'], ep]);
  });
  roots.push([raw.ledger, ['ledger'], undefined], [raw.ledgerCount, ['ledgerCount'], undefined]);
  const out: Finding[] = [];
  for (const [value, root, endpoint] of roots) {
    for (const [text, path] of strings(value, root)) {
      const open = unterminatedPlaceholder(text);
      if (open !== undefined)
        out.push({
          path,
          message: `unterminated template placeholder '${open}': close it with }} (known: ${TEMPLATE_NAMES.map((n) => `{{${n}}}`).join(', ')})`,
        });
      for (const name of new Set(placeholdersIn(text))) {
        const message = placeholderProblem(name, path, endpoint);
        if (message) out.push({ path, message });
      }
    }
  }
  return out;
}
