// Read an OpenAPI 3.0/3.1 or Swagger 2.0 document from a file or a URL and resolve every $ref
// (across files too) with @apidevtools/swagger-parser. URLs, the root and every external $ref,
// are fetched only when the caller's `allowUrl` says so (loopback unless --allow-host names the
// host): the parser's own HTTP resolver is switched off and replaced by a guarded one.
import { OpenApiError } from '../errors.js';

export type ApiDocument = Record<string, unknown>;

export interface LoadedSpec {
  /** Where it came from, as given. */
  source: string;
  /** `2.0`, `3.0.x` or `3.1.x`. */
  version: string;
  /** Fully dereferenced: no $ref left (may contain shared objects; not JSON.stringify-safe with cycles). */
  doc: ApiDocument;
}

export interface LoadOptions {
  /** Whether an http(s) URL may be fetched (root document and external $refs). */
  allowUrl(url: URL): boolean;
  /** Per fetch. Default 10 s. */
  timeoutMs?: number;
  /** Per fetched document. Default 10 MiB. */
  maxBytes?: number;
}

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

async function fetchGuarded(raw: string, options: LoadOptions): Promise<Buffer> {
  const url = new URL(raw);
  if (!options.allowUrl(url)) {
    throw new OpenApiError(
      `refusing to fetch ${url.origin}: host ${url.host} is not loopback and not allowed`,
      `pass --allow-host ${url.hostname} to allow it`,
    );
  }
  // Redirects are refused: following one could leave the allowed hosts.
  const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
  if (!res.ok) throw new OpenApiError(`GET ${url.href} answered ${res.status}`);
  const max = options.maxBytes ?? 10 * 1024 * 1024;
  const body = Buffer.from(await res.arrayBuffer());
  if (body.length > max) throw new OpenApiError(`GET ${url.href} returned more than ${max} bytes`);
  return body;
}

function versionOf(doc: ApiDocument): string {
  if (typeof doc.swagger === 'string') return doc.swagger;
  if (typeof doc.openapi === 'string') return doc.openapi;
  return 'unknown';
}

function reason(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // The parser's messages can be long (every nested cause); the first line says what matters.
  return message.split('\n')[0]!.slice(0, 500);
}

export async function loadSpec(source: string, options: LoadOptions): Promise<LoadedSpec> {
  let fetchError: unknown;
  const guarded = {
    order: 1,
    canRead: (file: { url: string }) => isUrl(file.url),
    read: async (file: { url: string }) => {
      try {
        return await fetchGuarded(file.url, options);
      } catch (err) {
        fetchError ??= err;
        throw err;
      }
    },
  };
  let doc: ApiDocument;
  try {
    // Loaded on use: every other command would pay for the parser (and ajv) at startup.
    const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
    doc = (await SwaggerParser.dereference(source, {
      resolve: { http: false, guarded },
      dereference: { circular: 'ignore' },
    })) as unknown as ApiDocument;
  } catch (err) {
    if (fetchError instanceof OpenApiError) throw fetchError;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || /ENOENT|no such file/i.test(reason(err))) {
      throw new OpenApiError(`cannot read ${source}: no such file`, 'pass a path to an OpenAPI (YAML or JSON) document or a URL');
    }
    throw new OpenApiError(
      `${source} is not a usable OpenAPI document: ${reason(err)}`,
      'OpenAPI 3.0, 3.1 and Swagger 2.0 are supported; every $ref must resolve',
      { cause: err },
    );
  }
  if (!doc || typeof doc !== 'object' || typeof doc.paths !== 'object' || doc.paths === null) {
    throw new OpenApiError(`${source} has no paths`, 'an OpenAPI document lists its operations under paths:');
  }
  return { source, version: versionOf(doc), doc };
}
