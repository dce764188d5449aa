// Turns a scenario endpoint into concrete requests: merges headers (defaults < tenant < endpoint),
// renders per-request templates, writes the key in the profile's format, and derives the changed
// payload used by mismatch checks.
import { renderTemplate } from '../scenario/template.js';
import type { Endpoint, Scenario } from '../scenario/schema.js';
import type { OutgoingRequest } from '../core/exchange.js';
import { formatKey, type KeyFormat } from './keys.js';
import type { Rng } from '../core/rng.js';

export interface RequestSpec {
  endpoint: Endpoint;
  tenant?: string;
  /** The raw key; null sends no key header. */
  key: string | null;
  /** Send this exact header value instead of the formatted key (key-validation probes). */
  rawKeyHeader?: string;
  /** Pre-rendered body bytes, so duplicates are byte-identical. */
  body?: Buffer;
  /** Path override, e.g. another endpoint's path with this endpoint's body. */
  path?: string;
  method?: string;
}

export class RequestFactory {
  #seq = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly baseUrl: string,
    private readonly keyFormat: KeyFormat,
    private readonly rng: Rng,
  ) {}

  get tenants(): string[] {
    return Object.keys(this.scenario.tenants);
  }

  get defaultTenant(): string | undefined {
    return this.tenants[0];
  }

  url(path: string): string {
    // Endpoint paths are relative to the target's base path (https://host/api + /payments).
    return `${this.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  /** Render the endpoint's body template once; send the result for every copy of one logical request. */
  renderBody(endpoint: Endpoint, vars: { key?: string; tenant?: string } = {}): Buffer | undefined {
    if (endpoint.body === undefined) return undefined;
    this.#seq += 1;
    const value = renderTemplate(endpoint.body, {
      seq: this.#seq,
      ...vars,
      uuid: () => this.rng.uuid(),
      random: () => this.rng.hex(8),
    });
    return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  }

  headersFor(endpoint: Endpoint, tenant: string | undefined): Record<string, string> {
    const headers: Record<string, string> = {};
    const merge = (h: Record<string, string> | undefined): void => {
      for (const [k, v] of Object.entries(h ?? {})) headers[k.toLowerCase()] = v;
    };
    merge(this.scenario.defaults.headers);
    if (tenant) merge(this.scenario.tenants[tenant]?.headers);
    merge(endpoint.headers);
    if (endpoint.body !== undefined && typeof endpoint.body !== 'string' && !headers['content-type']) {
      headers['content-type'] = 'application/json';
    }
    return headers;
  }

  build(spec: RequestSpec): OutgoingRequest {
    const tenant = spec.tenant ?? this.defaultTenant;
    const headers = this.headersFor(spec.endpoint, tenant);
    const keyHeader = this.scenario.defaults.keyHeader.toLowerCase();
    if (spec.rawKeyHeader !== undefined) headers[keyHeader] = spec.rawKeyHeader;
    else if (spec.key !== null) headers[keyHeader] = formatKey(spec.key, this.keyFormat);
    const body = spec.body ?? this.renderBody(spec.endpoint, { ...(spec.key ? { key: spec.key } : {}), ...(tenant ? { tenant } : {}) });
    const req: OutgoingRequest = { method: spec.method ?? spec.endpoint.method, url: this.url(spec.path ?? spec.endpoint.path), headers };
    if (body) req.body = body;
    return req;
  }
}

/**
 * A payload that differs from `body` in a way every sane fingerprint notices, even one that
 * canonicalises JSON: the first numeric field is incremented (or a marker field added), an array
 * gains an element, a JSON string or form body changes its value. Never whitespace alone.
 */
export function mutateBody(body: Buffer | undefined): Buffer {
  if (!body || body.length === 0) return Buffer.from(JSON.stringify({ idemauditVariant: 1 }));
  const text = body.toString('utf8');
  try {
    const doc = JSON.parse(text) as unknown;
    if (Array.isArray(doc)) return Buffer.from(JSON.stringify([...doc, { idemauditVariant: 1 }]));
    if (doc !== null && typeof doc === 'object') {
      const obj = { ...(doc as Record<string, unknown>) };
      const numeric = Object.keys(obj).find((k) => typeof obj[k] === 'number');
      if (numeric) obj[numeric] = (obj[numeric] as number) + 1;
      else obj.idemauditVariant = 1;
      return Buffer.from(JSON.stringify(obj));
    }
    if (typeof doc === 'string') return Buffer.from(JSON.stringify(`${doc}-variant`));
    if (typeof doc === 'number') return Buffer.from(JSON.stringify(doc + 1));
    return Buffer.from(JSON.stringify({ value: doc, idemauditVariant: 1 }));
  } catch {
    // not JSON
  }
  if (/^[^\s=&]+=[^\s]*$/.test(text)) return Buffer.from(`${text}&idemauditVariant=1`);
  return Buffer.from(`${text}-idemaudit-variant`);
}
