// Side-effect oracles (GUIDE section 2): how many times did the side effect run for a key?
// Every available oracle is asked and the highest count wins, so a double execution shows up
// even when one oracle cannot see it (a lost response hides an identity, for instance).
import type { Endpoint, Scenario } from '../scenario/schema.js';
import { renderTemplate } from '../scenario/template.js';
import type { AuditClient } from './client.js';
import type { Exchange } from '../core/exchange.js';
import { isSuccess, jsonBody, statusOf } from '../core/exchange.js';
import { resolvePointer } from '../core/json-pointer.js';
import type { RequestFactory } from './requests.js';

export type OracleName = 'probe' | 'identity' | 'ledger';

export interface ExecutionCount {
  /** Highest count any oracle reported; null when no oracle could tell. */
  executions: number | null;
  by: Partial<Record<OracleName, number>>;
  /** Distinct resource ids seen in successful responses (identity oracle). */
  ids: string[];
  /** When the server saw each request for the key finish arriving (epoch ms), if its ledger tells. */
  arrivals?: number[];
  /** Why a declared probe gave no count (its status or network error). */
  probeError?: string;
}

/** Identity oracle, pure: distinct resource ids in successful responses. */
export function distinctIdentities(exchanges: Exchange[], pointer: string): string[] {
  const ids = new Set<string>();
  for (const e of exchanges) {
    if (!isSuccess(e)) continue;
    const id = resolvePointer(jsonBody(e), pointer);
    if (id !== undefined && id !== null) ids.add(typeof id === 'string' ? id : JSON.stringify(id));
  }
  return [...ids];
}

/** Interpret a probe or ledger answer: a number, or an array with one entry per execution. */
export function countFrom(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.length;
  return undefined;
}

export class ExecutionOracle {
  constructor(
    private readonly scenario: Scenario,
    private readonly client: AuditClient,
    private readonly requests: RequestFactory,
    /** Absolute ledger URL (reference server or scenario `ledger`), if any. */
    private readonly ledger: () => string | undefined,
  ) {}

  get available(): OracleName[] {
    const names: OracleName[] = [];
    if (this.scenario.endpoints.some((e) => e.probe)) names.push('probe');
    if (this.scenario.endpoints.some((e) => e.identity)) names.push('identity');
    if (this.ledger()) names.push('ledger');
    return names;
  }

  async count(endpoint: Endpoint, key: string, exchanges: Exchange[], tenant?: string): Promise<ExecutionCount> {
    const result: ExecutionCount = { executions: null, by: {}, ids: [] };
    if (endpoint.identity) {
      result.ids = distinctIdentities(exchanges, endpoint.identity);
      result.by.identity = result.ids.length;
    }
    if (endpoint.probe) {
      const probeTenant = endpoint.probe.tenant ?? tenant ?? this.requests.defaultTenant;
      const path = String(renderTemplate(endpoint.probe.path, {
        seq: 0, key, ...(probeTenant ? { tenant: probeTenant } : {}), ...(result.ids[0] ? { id: result.ids[0] } : {}),
        uuid: () => '', random: () => '',
      }));
      const probe = await this.client.send(
        { method: endpoint.probe.method, url: this.requests.url(path), headers: this.requests.headersFor(endpoint, probeTenant) },
        { label: 'probe', endpoint: endpoint.name, key, ...(probeTenant ? { tenant: probeTenant } : {}) },
      );
      const n = isSuccess(probe) ? countFrom(resolvePointer(jsonBody(probe), endpoint.probe.count)) : undefined;
      if (n !== undefined) result.by.probe = n;
      else result.probeError = isSuccess(probe) ? `no count at ${endpoint.probe.count}` : statusOf(probe);
    }
    const ledgerUrl = this.ledger();
    if (ledgerUrl) {
      const url = `${ledgerUrl}${ledgerUrl.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`;
      const answer = await this.client.send({ method: 'GET', url, headers: {} }, { label: 'ledger', endpoint: endpoint.name, key });
      const doc = jsonBody(answer) as { executions?: unknown[]; arrivals?: unknown[] } | undefined;
      if (isSuccess(answer) && doc && Array.isArray(doc.executions)) result.by.ledger = doc.executions.length;
      if (isSuccess(answer) && doc && Array.isArray(doc.arrivals)) result.arrivals = doc.arrivals.filter((a): a is number => typeof a === 'number');
    }
    const counts = Object.values(result.by);
    result.executions = counts.length > 0 ? Math.max(...counts) : null;
    return result;
  }
}
