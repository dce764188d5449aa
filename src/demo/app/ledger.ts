// The side-effect ledger: one entry per execution of a mutation, the reference server's own
// execution oracle (GUIDE section 2). Entries are kept by the idempotency key as the client sent
// it (unquoted), across tenants and endpoints, so an auditor can count every run of one key.

export interface Execution {
  /** Hashed tenant (SHA-256 of Authorization) or `anonymous`. */
  tenant: string;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Id of the resource the execution created. */
  id: string;
  /** Epoch ms (sub-ms precision) at which the request's last byte arrived. */
  receivedAt: number;
  /** Epoch ms (sub-ms precision) at which the side effect was recorded. */
  executedAt: number;
}

export interface KeyLedger {
  key: string;
  executions: Execution[];
  /** Epoch ms at which each request with this key finished arriving (executed or not), oldest first. */
  arrivals: number[];
}

export interface LedgerSummary {
  /** Executions recorded, keyed or not. */
  total: number;
  /** Distinct keys with at least one execution. */
  keys: number;
  /** Executions of requests that carried no usable key. */
  unkeyed: number;
  /** Keys executed more than once (the first 100), most executions first. */
  duplicates: Array<{ key: string; executions: number }>;
}

import { BoundedMap, DEFAULT_MAX_RECORDS } from './bounded-map.js';

const MAX_DUPLICATES_LISTED = 100;
/** Arrivals kept per key: enough for any burst the audit sends, bounded against key reuse storms. */
const MAX_ARRIVALS_PER_KEY = 256;

export class Ledger {
  // Bounded: the oldest keys are forgotten past `maxKeys` (an audit reads a key right after using it).
  readonly #byKey: BoundedMap<string, Execution[]>;
  readonly #arrivals: BoundedMap<string, number[]>;

  constructor(maxKeys: number = DEFAULT_MAX_RECORDS) {
    this.#byKey = new BoundedMap(maxKeys);
    this.#arrivals = new BoundedMap(maxKeys);
  }

  #total = 0;
  #unkeyed = 0;

  /** `key` null: the request had no usable idempotency key. */
  record(key: string | null, execution: Execution): void {
    this.#total++;
    if (key === null) {
      this.#unkeyed++;
      return;
    }
    const list = this.#byKey.get(key);
    if (list) {
      if (list.length < MAX_ARRIVALS_PER_KEY) list.push(execution);
    } else this.#byKey.set(key, [execution]);
  }

  /** A keyed request's last byte arrived; lets an auditor measure how tight its burst really was. */
  arrive(key: string, at: number): void {
    const list = this.#arrivals.get(key);
    if (!list) this.#arrivals.set(key, [at]);
    else if (list.length < MAX_ARRIVALS_PER_KEY) list.push(at);
  }

  forKey(key: string, tenant?: string): KeyLedger {
    const executions = this.#byKey.get(key) ?? [];
    return {
      key,
      executions: tenant === undefined ? [...executions] : executions.filter((e) => e.tenant === tenant),
      arrivals: [...(this.#arrivals.get(key) ?? [])],
    };
  }

  summary(): LedgerSummary {
    const duplicates: LedgerSummary['duplicates'] = [];
    for (const [key, executions] of this.#byKey) {
      if (executions.length > 1) duplicates.push({ key, executions: executions.length });
    }
    duplicates.sort((a, b) => b.executions - a.executions);
    return { total: this.#total, keys: this.#byKey.size, unkeyed: this.#unkeyed, duplicates: duplicates.slice(0, MAX_DUPLICATES_LISTED) };
  }
}
