// The mutation operations of a dereferenced OpenAPI 3.x or Swagger 2.0 document, in one shape:
// what the inventory judges and what the scenario generator needs. Pure: no I/O.
import type { ApiDocument } from './load.js';
import { readExtension, type IdempotencyExtension } from './extension.js';

export const MUTATION_METHODS = ['post', 'put', 'patch', 'delete'] as const;
export type MutationMethod = (typeof MUTATION_METHODS)[number];

export const DEFAULT_KEY_HEADERS = ['Idempotency-Key', 'X-Idempotency-Key', 'Idempotency-Token'];

export type Json = Record<string, unknown>;

export interface KeyDeclaration {
  /** As spelled in the spec. */
  header: string;
  required: boolean;
  /** `parameter` (a header parameter) or `extension` (only x-idempotency.header names it). */
  via: 'parameter' | 'extension';
}

export interface Operation {
  method: Uppercase<MutationMethod>;
  /** The path template as written in the spec, e.g. /payments/{id}/capture. */
  path: string;
  operationId?: string;
  tags: string[];
  summary?: string;
  key?: KeyDeclaration;
  /** Documented response status codes (strings as written: '201', '4XX', 'default'). */
  responses: string[];
  extension: IdempotencyExtension;
  /** Problems with x-idempotency (reported, never fatal). */
  extensionProblems: string[];
  /** Request body: an example if the spec gives one, else the schema to sample. */
  requestExample?: unknown;
  requestSchema?: Json;
  /** The JSON schema of the first 2xx response (for the identity pointer). */
  responseSchema?: Json;
  /** A response header of a 2xx answer that marks replays (e.g. Idempotent-Replayed), if documented. */
  replayHeader?: string;
  /** Path parameter names, in order. */
  pathParams: string[];
  /** Required query parameters (names). */
  requiredQuery: string[];
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parametersOf(pathItem: Json, op: Json): Json[] {
  const byKey = new Map<string, Json>();
  for (const p of [...asArray(pathItem.parameters), ...asArray(op.parameters)]) {
    if (isObject(p) && typeof p.name === 'string' && typeof p.in === 'string') byKey.set(`${p.in}:${p.name.toLowerCase()}`, p);
  }
  return [...byKey.values()];
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function jsonContent(content: unknown): Json | undefined {
  if (!isObject(content)) return undefined;
  const entries = Object.entries(content);
  const json = entries.find(([type]) => /json/i.test(type)) ?? entries[0];
  return json && isObject(json[1]) ? json[1] : undefined;
}

function firstExample(media: Json): unknown {
  if (media.example !== undefined) return media.example;
  if (isObject(media.examples)) {
    for (const ex of Object.values(media.examples)) if (isObject(ex) && ex.value !== undefined) return ex.value;
  }
  return undefined;
}

function requestBodyOf(op: Json, params: Json[], swagger2: boolean): { example?: unknown; schema?: Json } {
  if (swagger2) {
    const body = params.find((p) => p.in === 'body');
    const schema = body && isObject(body.schema) ? body.schema : undefined;
    const example = body && isObject(body['x-example']) ? body['x-example'] : schema?.example;
    return { ...(example !== undefined ? { example } : {}), ...(schema ? { schema } : {}) };
  }
  const media = isObject(op.requestBody) ? jsonContent(op.requestBody.content) : undefined;
  if (!media) return {};
  const schema = isObject(media.schema) ? media.schema : undefined;
  const example = firstExample(media) ?? schema?.example;
  return { ...(example !== undefined ? { example } : {}), ...(schema ? { schema } : {}) };
}

function successSchemaOf(op: Json, swagger2: boolean): Json | undefined {
  if (!isObject(op.responses)) return undefined;
  const codes = Object.keys(op.responses)
    .filter((c) => /^2/.test(c))
    .sort();
  for (const code of codes) {
    const res = op.responses[code];
    if (!isObject(res)) continue;
    if (swagger2 && isObject(res.schema)) return res.schema;
    const media = jsonContent(res.content);
    if (media && isObject(media.schema)) return media.schema;
  }
  return undefined;
}

function replayHeaderOf(op: Json): string | undefined {
  if (!isObject(op.responses)) return undefined;
  for (const [code, res] of Object.entries(op.responses)) {
    if (!/^2/.test(code) || !isObject(res) || !isObject(res.headers)) continue;
    const name = Object.keys(res.headers).find((h) => /replay/i.test(h));
    if (name) return name;
  }
  return undefined;
}

function keyOf(params: Json[], extension: IdempotencyExtension, keyHeaders: readonly string[]): KeyDeclaration | undefined {
  const wanted = new Set([...keyHeaders, ...(extension.header ? [extension.header] : [])].map((h) => h.toLowerCase()));
  const param = params.find((p) => p.in === 'header' && wanted.has(String(p.name).toLowerCase()));
  if (param) return { header: String(param.name), required: param.required === true || extension.required === true, via: 'parameter' };
  if (extension.header) return { header: extension.header, required: extension.required === true, via: 'extension' };
  return undefined;
}

/**
 * Every POST, PUT, PATCH and DELETE, in document order. `x-idempotency` applies from the document
 * root, then the path item, then the operation (the most specific wins, field by field).
 */
export function mutationOperations(doc: ApiDocument, keyHeaders: readonly string[] = DEFAULT_KEY_HEADERS): Operation[] {
  const swagger2 = typeof doc.swagger === 'string';
  const out: Operation[] = [];
  const paths = isObject(doc.paths) ? doc.paths : {};
  const rootExt = readExtension(doc['x-idempotency'], 'x-idempotency (document)');
  for (const [path, pathItem] of Object.entries(paths)) {
    if (!isObject(pathItem)) continue;
    const pathExt = readExtension(pathItem['x-idempotency'], `x-idempotency (${path})`);
    for (const method of MUTATION_METHODS) {
      const op = pathItem[method];
      if (!isObject(op)) continue;
      const where = `x-idempotency (${method.toUpperCase()} ${path})`;
      const opExt = readExtension(op['x-idempotency'], where);
      const extension = { ...rootExt.value, ...pathExt.value, ...opExt.value };
      const params = parametersOf(pathItem, op);
      const body = requestBodyOf(op, params, swagger2);
      const responseSchema = successSchemaOf(op, swagger2);
      const key = keyOf(params, extension, keyHeaders);
      const replayHeader = replayHeaderOf(op);
      out.push({
        method: method.toUpperCase() as Uppercase<MutationMethod>,
        path,
        ...(typeof op.operationId === 'string' ? { operationId: op.operationId } : {}),
        tags: asArray(op.tags).filter((t): t is string => typeof t === 'string'),
        ...(typeof op.summary === 'string' ? { summary: op.summary } : {}),
        ...(key ? { key } : {}),
        responses: isObject(op.responses) ? Object.keys(op.responses) : [],
        extension,
        extensionProblems: [...rootExt.problems, ...pathExt.problems, ...opExt.problems],
        ...(body.example !== undefined ? { requestExample: body.example } : {}),
        ...(body.schema ? { requestSchema: body.schema } : {}),
        ...(responseSchema ? { responseSchema } : {}),
        ...(replayHeader ? { replayHeader } : {}),
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
        requiredQuery: params.filter((p) => p.in === 'query' && p.required === true).map((p) => String(p.name)),
      });
    }
  }
  return out;
}
