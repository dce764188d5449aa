// `init --from-openapi`: a commented audit scenario with one endpoint per selected mutation. Bodies
// come from the spec's examples, else are sampled from its schemas (openapi-sampler); keyRequired
// from the key header's `required`; the identity pointer is guessed from the 2xx response schema.
// Pure: the caller loads the spec and writes the text.
import { stringify } from 'yaml';
import type { RiskLevel } from './openapi/extension.js';
import type { Json, Operation } from './openapi/operations.js';
import type { InventoryRow } from './inventory.js';

export interface OperationFilter {
  tags?: string[];
  /** Path prefixes or globs with `*` (e.g. /payments, /v1/*). */
  paths?: string[];
  risks?: RiskLevel[];
}

export interface Selected {
  op: Operation;
  row: InventoryRow;
}

function pathMatches(path: string, pattern: string): boolean {
  if (!pattern.includes('*')) return path === pattern || path.startsWith(pattern.endsWith('/') ? pattern : `${pattern}/`);
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(path);
}

export function selectOperations(items: Selected[], filter: OperationFilter): Selected[] {
  return items.filter(
    ({ op, row }) =>
      (!filter.tags?.length || op.tags.some((t) => filter.tags!.some((f) => f.toLowerCase() === t.toLowerCase()))) &&
      (!filter.paths?.length || filter.paths.some((p) => pathMatches(op.path, p))) &&
      (!filter.risks?.length || filter.risks.includes(row.risk)),
  );
}

/** `/id`, `/uuid`, or one level down (`/data/id`); undefined when the schema names neither. */
export function guessIdentity(schema: Json | undefined): string | undefined {
  const props = (s: Json | undefined): Json | undefined => {
    if (!s) return undefined;
    if (s.properties && typeof s.properties === 'object') return s.properties as Json;
    // allOf: the merged properties of every part.
    if (Array.isArray(s.allOf)) return Object.assign({}, ...s.allOf.map((p) => props(p as Json) ?? {})) as Json;
    return undefined;
  };
  const top = props(schema);
  if (!top) return undefined;
  for (const name of ['id', 'uuid']) if (name in top) return `/${name}`;
  for (const [outer, inner] of Object.entries(top)) {
    const nested = props(inner as Json);
    if (nested) for (const name of ['id', 'uuid']) if (name in nested) return `/${outer.replace(/~/g, '~0').replace(/\//g, '~1')}/${name}`;
  }
  return undefined;
}

type Sampler = (schema: never, options: object) => unknown;

export function sampleBody(op: Operation, sample: Sampler): unknown {
  if (op.requestExample !== undefined) return op.requestExample;
  if (!op.requestSchema) return undefined;
  try {
    return sample(op.requestSchema as never, { skipReadOnly: true, enablePatterns: true, quiet: true });
  } catch {
    return {};
  }
}

function endpointName(op: Operation, taken: Set<string>): string {
  const base =
    (op.operationId ?? `${op.method}-${op.path}`)
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .replace(/[^a-zA-Z0-9_.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase() || 'endpoint';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

const envName = (param: string): string =>
  param
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase() || 'PARAM';

/** The path with `{param}` replaced by `${PARAM:-change-me}` (filled from the environment). */
function concretePath(op: Operation): string {
  let path = op.path.replace(/\{([^}]+)\}/g, (_m, p: string) => `\${${envName(p)}:-change-me}`);
  if (op.requiredQuery.length) path += `?${op.requiredQuery.map((q) => `${encodeURIComponent(q)}=\${${envName(q)}:-change-me}`).join('&')}`;
  return path;
}

const indent = (text: string, spaces: number): string =>
  text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => ' '.repeat(spaces) + l)
    .join('\n');

const keyRequiredOf = (op: Operation): 'mandatory' | 'expected' | 'optional' => (op.key ? (op.key.required ? 'mandatory' : 'optional') : 'expected');

function mostCommonHeader(ops: Operation[]): string {
  const counts = new Map<string, number>();
  for (const op of ops) if (op.key) counts.set(op.key.header, (counts.get(op.key.header) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'Idempotency-Key';
}

function endpointBlock(sel: Selected, name: string, keyHeader: string, sample: Sampler): string {
  const { op, row } = sel;
  const lines = [`  - name: ${name}`];
  lines.push(`    # ${op.method} ${op.path}${op.summary ? `: ${op.summary.replace(/\s+/g, ' ').slice(0, 100)}` : ''}`);
  lines.push(`    method: ${op.method}`);
  if (op.pathParams.length || op.requiredQuery.length) {
    lines.push(`    # FILL IN: ${[...op.pathParams, ...op.requiredQuery].map(envName).join(', ')} (an existing resource; set the variables or edit the path)`);
  }
  lines.push(`    path: ${JSON.stringify(concretePath(op))}`);
  const body = sampleBody(op, sample);
  if (body !== undefined) {
    lines.push(
      op.requestExample !== undefined
        ? '    # body: the example given in the spec'
        : '    # body: sampled from the request schema; replace with realistic values',
    );
    lines.push(`    body:\n${indent(stringify(body), 6)}`);
  }
  const identity = guessIdentity(op.responseSchema);
  if (identity) lines.push(`    identity: ${identity}          # guessed from the response schema: the created resource id`);
  else lines.push('    # identity: /id              # FILL IN: pointer to the created resource id (no id or uuid in the response schema)');
  lines.push('    # probe:                     # optional, better oracle: ask the API how often the side effect ran');
  lines.push('    #   path: /FILL-IN?idempotency_key={{key}}');
  lines.push('    #   count: /data');
  const kr = keyRequiredOf(op);
  const why = op.key ? `the spec declares ${op.key.header} as ${op.key.required ? 'required' : 'optional'}` : 'the spec declares no key header';
  lines.push(`    keyRequired: ${kr}${' '.repeat(Math.max(1, 12 - kr.length))}# ${why}`);
  if (op.key && op.key.header.toLowerCase() !== keyHeader.toLowerCase()) {
    lines.push(`    # NOTE: this operation uses ${op.key.header}, the scenario sends ${keyHeader} (defaults.keyHeader)`);
  }
  lines.push(`    risk: ${row.risk}${' '.repeat(Math.max(1, 12 - row.risk.length))}# ${row.riskReason}`);
  if (op.extension.retention) lines.push(`    policy:\n      retention: ${op.extension.retention}`);
  return lines.join('\n');
}

export interface GenerateOptions {
  name: string;
  target: string;
  specSource: string;
}

export async function generateScenario(selected: Selected[], opts: GenerateOptions): Promise<string> {
  // Loaded on use, like the spec parser: no startup cost for the other commands.
  const { sample } = await import('openapi-sampler');
  const keyHeader = mostCommonHeader(selected.map((s) => s.op));
  const taken = new Set<string>();
  const endpoints = selected.map((s) => endpointBlock(s, endpointName(s.op, taken), keyHeader, sample as Sampler));
  return `# yaml-language-server: $schema=./node_modules/idemaudit/scenarios/scenario.schema.json
# Generated by: idemaudit init --from-openapi ${opts.specSource}
# ${selected.length} mutation(s). Lines marked FILL IN need you; then run
#   idemaudit validate <this file> && idemaudit run <this file>
version: 1
name: ${opts.name}
target: \${TARGET_URL:-${opts.target}}
profile: ietf-07              # or stripe-v1 (see: idemaudit list profiles)
defaults:
  headers:
    content-type: application/json
  keyHeader: ${keyHeader}
  timeoutMs: 5000
# FILL IN: two credentials of two different clients, so cross-tenant can check that keys are scoped
# per client. Every header here is redacted in reports; keep the tokens in the environment.
tenants:
  first:
    headers:
      Authorization: "Bearer \${TOKEN_A:-change-me-a}"
  second:
    headers:
      Authorization: "Bearer \${TOKEN_B:-change-me-b}"
# Non-loopback hosts must be named before idemaudit sends anything to them.
allowHosts: []
endpoints:
${endpoints.join('\n')}
checks:
  concurrent-duplicates: { copies: 8, rounds: 3 }
  sequential-replay: {}
  payload-mismatch: {}
  missing-key: {}
  cross-tenant: {}
  key-validation: {}
  fingerprint: {}
`;
}
