// The chaos port: what the chaos checks need from the run besides plain HTTP. A fault proxy in front
// of the target (seeded by the run, closed after the check), the scenario's retry policy, the
// history, the reference server's settings and switches, and progress events. The engine builds it
// (src/audit/chaos-port.ts); checks reach it with chaosOf(ctx) (src/checks/api.ts).
import type { ServerHealth } from '../../core/health.js';
import type { FaultEvent, FaultSpecBase, FaultSpecInput } from '../../faults/index.js';
import type { OutgoingRequest } from '../../core/exchange.js';
import type { HistoryOp, HistoryOpInput, LedgerEntry } from '../../engine/history.js';
import type { RetryBudget, RetryPolicy } from '../../engine/retry/index.js';
import type { Rng } from '../../core/rng.js';

export interface ChaosProxy {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The validated specs, defaults filled in. */
  readonly faults: readonly FaultSpecBase[];
  /** `idemaudit proxy ...` that runs the same proxy on the same port (to replay evidence sent through it). */
  readonly command: string;
  /** The request, sent to the proxy instead of the target (same path, query, headers and body). */
  via(req: OutgoingRequest): OutgoingRequest;
  /** Fault events so far, oldest first. */
  events(): readonly FaultEvent[];
  /** When the upstream answered each request through the proxy (epoch ms), key unquoted; oldest first. */
  upstreamAnswers(): ReadonlyArray<{ key?: string; status: number; at: number }>;
  /** Requests a fault was injected into so far. */
  injected(): number;
  /** The history operations of those events (process `proxy`), oldest first. */
  ops(): readonly HistoryOp[];
  close(): Promise<void>;
}

/** What a reference server says about itself (GET /_idemaudit/health); undefined fields are unknown. */
export type TargetSettings = ServerHealth;

export interface StoreOutage {
  /** How the outage was triggered: `reference switch` or `scenario hook`. */
  via: string;
  /** Epoch ms at which the outage ends, as the target announced it (else trigger time + ms). */
  until: number;
}

export type ChaosEvent =
  { type: 'inject'; round: string; faults: string[] } | { type: 'attempt'; key: string; attempt: number; outcome: 'ok' | 'fail' | 'unknown'; detail: string };

export interface ChaosPort {
  /** Starts a fault proxy in front of the target. `label` makes its seed distinct within the run. */
  proxy(faults: ReadonlyArray<FaultSpecInput | FaultSpecBase>, label: string): Promise<ChaosProxy>;
  /** The scenario's client retry policy (defaults filled in). */
  readonly policy: RetryPolicy;
  /** Shared by every chaos check of the run, per request path, when the policy declares a budget. */
  readonly budget: RetryBudget | undefined;
  /** A generator derived from the run's seed and `label`. */
  rng(label: string): Rng;
  /** Appends to the run's history and returns the stamped operation. */
  record(op: HistoryOpInput): HistoryOp;
  /** The reference server's self-description, when the target is one (cached). */
  settings(): Promise<TargetSettings | undefined>;
  /** Settings the scenario asked the embedded server to use (`self:`), when the target is self. */
  readonly self: { leaseMs?: number; processingMs?: number } | undefined;
  /** The ledger's executions for `key`, when the target has a ledger. */
  ledger(key: string): Promise<LedgerEntry[] | undefined>;
  /** Makes the target's idempotency store fail for `ms`; undefined when the target offers no way. */
  storeOutage(ms: number): Promise<StoreOutage | undefined>;
  /** Whether storeOutage() can do anything (a scenario hook, or a reference server with the switch). */
  hasStoreOutage(): Promise<boolean>;
  /** Progress for the terminal. */
  emit(event: ChaosEvent): void;
  /** Run-clock milliseconds. */
  now(): number;
}
