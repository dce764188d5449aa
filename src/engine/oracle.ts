// Side-effect oracles (GUIDE section 2): how many times did the side effect run for a key?
// Every available oracle is asked and the highest count wins, so a double execution shows up
// even when one oracle cannot see it (a lost response hides an identity, for instance).
import type { Endpoint, Scenario } from '../scenario/schema.js';
import { renderPointer, renderTemplate } from '../scenario/template.js';
import type { AuditClient } from './client.js';
import type { Exchange } from '../core/exchange.js';
import { isSuccess, jsonBody, statusOf } from '../core/exchange.js';
import { resolvePointer } from '../core/json-pointer.js';
import type { RequestFactory } from './requests.js';
import { mergeLedgerReadings, type LedgerMode, type LedgerPlan, type LedgerReading } from './ledger-merge.js';

export type OracleName = 'probe' | 'identity' | 'ledger';

export interface ExecutionCount {
  /** Highest count any oracle reported; null when no oracle could tell. */
  executions: number | null;
  by: Partial<Record<OracleName, number>>;
  /** Distinct resource ids seen in successful responses (identity oracle). */
  ids: string[];
  /** When the server saw each request for the key finish arriving (epoch ms), if its ledger tells. */
  arrivals?: number[];
  /** Per execution, when its request arrived and when the side effect ran (epoch ms), if the ledger tells. */
  timeline?: Array<{ receivedAt: number; executedAt: number }>;
  /** With several ledgers (instances or regions): how their readings were merged (see ledger-merge.ts). */
  ledgers?: LedgerMode;
  /** Why a declared probe gave no count (its status or network error). */
  probeError?: string;
  /**
   * Declared oracles that counted nothing: an identity pointer matching no response, a probe or a
   * ledger without a count. A check must not pass on such a count (see audit/oracle-failures).
   */
  failures?: OracleFailure[];
}

/**
 * A count that may miss executions: a ledger lower bound (an instance whose executions no ledger
 * shows, or ledgers whose sharing could not be calibrated) with no identity or probe count beside it.
 */
export function isLowerBound(count: ExecutionCount): boolean {
  return count.executions !== null && count.ledgers === 'uncertain' && count.by.identity === undefined && count.by.probe === undefined;
}

export interface OracleFailure {
  oracle: OracleName;
  /** What was declared and what came back, e.g. "identity /id matched nothing in 2 successful responses". */
  message: string;
  /** An answer that shows it (a response the pointer missed, the probe's or the ledger's answer). */
  exchange?: Exchange;
}

/** A body excerpt for messages: enough to see the shape the pointer missed. */
export function excerpt(e: Exchange, max = 200): string {
  const text = e.response ? e.response.body.toString('utf8') : (e.error ?? 'no response');
  return text.length > max ? `${text.slice(0, max)}…` : text;
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

  /** Failures since the last drain: the audit reads them after each check. */
  private log: OracleFailure[] = [];

  /** Returns and forgets the failures recorded since the last call. */
  drainFailures(): OracleFailure[] {
    const out = this.log;
    this.log = [];
    return out;
  }

  get available(): OracleName[] {
    const names: OracleName[] = [];
    if (this.scenario.endpoints.some((e) => e.probe)) names.push('probe');
    if (this.scenario.endpoints.some((e) => e.identity)) names.push('identity');
    if (this.ledger()) names.push('ledger');
    return names;
  }

  /**
   * Reads `urls` (ledgers) for one key, in order: a reading per ledger (undefined where it gave no
   * count), the failures that say why, and the timelines and arrivals they tell. Nothing is logged:
   * count() logs its failures, a calibration judges them itself.
   */
  async readLedgers(
    endpoint: Endpoint,
    key: string,
    urls: string[],
    tenant?: string,
    label = 'ledger',
  ): Promise<{
    readings: Array<LedgerReading | undefined>;
    failures: OracleFailure[];
    timeline?: Array<{ receivedAt: number; executedAt: number }>;
    arrivals?: number[];
  }> {
    const failures: OracleFailure[] = [];
    const readings: Array<LedgerReading | undefined> = [];
    const result: { timeline?: Array<{ receivedAt: number; executedAt: number }>; arrivals?: number[] } = {};
    for (const ledgerUrl of urls) {
      const ledgerTenant = tenant ?? this.requests.defaultTenant;
      const vars = { key, ...(ledgerTenant ? { tenant: ledgerTenant } : {}) };
      // `{{key}}` in the URL is URL-encoded; without it, the key goes in ?key= as the reference ledger expects.
      const url = ledgerUrl.includes('{{')
        ? String(
            renderTemplate(ledgerUrl, {
              seq: 0,
              key: encodeURIComponent(key),
              ...(ledgerTenant ? { tenant: encodeURIComponent(ledgerTenant) } : {}),
              uuid: () => '',
              random: () => '',
            }),
          )
        : `${ledgerUrl}${ledgerUrl.includes('?') ? '&' : '?'}key=${encodeURIComponent(key)}`;
      const pointer = renderPointer(this.scenario.ledgerCount ?? '/executions', vars);
      const answer = await this.client.send({ method: 'GET', url, headers: {} }, { label, endpoint: endpoint.name, key });
      const doc = jsonBody(answer);
      const n = isSuccess(answer) ? countFrom(resolvePointer(doc, pointer)) : undefined;
      const entries = (doc as { executions?: unknown[] } | undefined)?.executions;
      const ids =
        isSuccess(answer) && Array.isArray(entries)
          ? entries.map((e) => (e as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string')
          : undefined;
      if (n !== undefined) readings.push({ n, ...(ids && ids.length === n ? { ids } : {}) });
      else if (isSuccess(answer) && this.scenario.ledgerCount !== undefined && resolvePointer(doc, pointer) === undefined) {
        // A ledger keyed by key has no entry for a key that never ran: that is a count of zero, not
        // an oracle failure, as long as the document itself is there.
        if (doc !== null && typeof doc === 'object') readings.push({ n: 0, ids: [] });
        else {
          readings.push(undefined);
          failures.push({ oracle: 'ledger', message: `ledger ${url} answered no JSON document: ${excerpt(answer)}`, exchange: answer });
        }
      } else {
        readings.push(undefined);
        failures.push({
          oracle: 'ledger',
          message: `ledger ${url} gave no count at ${pointer}: answered ${statusOf(answer)} ${excerpt(answer)}`,
          exchange: answer,
        });
      }
      if (isSuccess(answer) && Array.isArray(entries)) {
        const timeline = entries
          .map((e) => e as { receivedAt?: unknown; executedAt?: unknown })
          .filter((e): e is { receivedAt: number; executedAt: number } => typeof e?.receivedAt === 'number' && typeof e?.executedAt === 'number');
        if (timeline.length === entries.length && timeline.length > 0) result.timeline = [...(result.timeline ?? []), ...timeline];
      }
      const arrivals = (doc as { arrivals?: unknown[] } | undefined)?.arrivals;
      if (isSuccess(answer) && Array.isArray(arrivals))
        result.arrivals = [...(result.arrivals ?? []), ...arrivals.filter((a): a is number => typeof a === 'number')];
    }
    return { readings, failures, ...result };
  }

  /**
   * `ledgers`: the ledger of every instance or region (scenario `targets:`) instead of the one ledger,
   * with what a calibration found about which of them are one ledger; their readings are merged by
   * mergeLedgerReadings (without groups, count-only readings give the lower bound).
   */
  async count(endpoint: Endpoint, key: string, exchanges: Exchange[], tenant?: string, ledgers?: string[] | LedgerPlan): Promise<ExecutionCount> {
    const failures: OracleFailure[] = [];
    const result: ExecutionCount = { executions: null, by: {}, ids: [], failures };
    if (endpoint.identity) {
      result.ids = distinctIdentities(exchanges, endpoint.identity);
      const successes = exchanges.filter(isSuccess);
      // Zero ids from successful answers is not "zero executions": the pointer missed (a typo, or an
      // API that wraps the id as /data/id). Counting it would turn every duplicate into a pass.
      if (result.ids.length > 0) result.by.identity = result.ids.length;
      else if (successes.length > 0) {
        failures.push({
          oracle: 'identity',
          message: `identity pointer ${endpoint.identity} matched nothing in ${successes.length} successful response(s), e.g. ${excerpt(successes[0]!)}`,
          exchange: successes[0]!,
        });
      }
    }
    if (endpoint.probe) {
      const probeTenant = endpoint.probe.tenant ?? tenant ?? this.requests.defaultTenant;
      const path = String(
        renderTemplate(endpoint.probe.path, {
          seq: 0,
          key,
          ...(probeTenant ? { tenant: probeTenant } : {}),
          ...(result.ids[0] ? { id: result.ids[0] } : {}),
          uuid: () => '',
          random: () => '',
        }),
      );
      const probe = await this.client.send(
        { method: endpoint.probe.method, url: this.requests.url(path), headers: this.requests.headersFor(endpoint, probeTenant) },
        { label: 'probe', endpoint: endpoint.name, key, ...(probeTenant ? { tenant: probeTenant } : {}) },
      );
      const pointer = renderPointer(endpoint.probe.count, {
        key,
        ...(probeTenant ? { tenant: probeTenant } : {}),
        ...(result.ids[0] ? { id: result.ids[0] } : {}),
      });
      const n = isSuccess(probe) ? countFrom(resolvePointer(jsonBody(probe), pointer)) : undefined;
      if (n !== undefined) result.by.probe = n;
      else {
        result.probeError = isSuccess(probe) ? `no count at ${pointer}` : statusOf(probe);
        failures.push({
          oracle: 'probe',
          message: `probe ${endpoint.probe.method} ${path} gave no count at ${pointer}: answered ${statusOf(probe)} ${excerpt(probe)}`,
          exchange: probe,
        });
      }
    }
    // Several instances or regions may each keep their own ledger (`ledgers`): every one is read.
    const plan: LedgerPlan = Array.isArray(ledgers) ? { urls: ledgers } : (ledgers ?? { urls: [] });
    // Given the instances' ledgers (even none), only those count: the primary target's own ledger, when
    // it is not one of them, sees only its own executions, and counting with it would be a false pass.
    const ledgerUrls = ledgers !== undefined ? plan.urls : [this.ledger()].filter((u): u is string => u !== undefined);
    if (ledgerUrls.length > 0) {
      const read = await this.readLedgers(endpoint, key, ledgerUrls, tenant);
      failures.push(...read.failures);
      if (read.timeline) result.timeline = read.timeline;
      if (read.arrivals) result.arrivals = read.arrivals;
      const perLedger = read.readings.filter((r): r is LedgerReading => r !== undefined);
      if (perLedger.length === ledgerUrls.length) {
        const merged = mergeLedgerReadings(perLedger, plan.groups);
        result.by.ledger = merged.n;
        if (plan.unseen && plan.unseen.length > 0) result.ledgers = 'uncertain';
        else if (ledgerUrls.length > 1) result.ledgers = merged.mode;
      }
    }
    // A fresh key that got a success ran at least once: an oracle that counts zero is not looking
    // where the side effect is (a wrong pointer or template), and must not vouch for "one execution".
    const succeeded = exchanges.filter(isSuccess).length;
    for (const name of ['probe', 'ledger'] as const) {
      if (result.by[name] === 0 && succeeded > 0) {
        delete result.by[name];
        failures.push({
          oracle: name,
          message: `the ${name} counted 0 executions although ${succeeded} request(s) for the key succeeded: check its ${name === 'probe' ? 'path and count pointer' : 'URL and ledgerCount pointer'}`,
        });
      }
    }
    this.log.push(...failures);
    const counts = Object.values(result.by);
    result.executions = counts.length > 0 ? Math.max(...counts) : null;
    return result;
  }
}
