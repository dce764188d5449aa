// The interface checks consume, and what a check is: options, a plan that talks to the target
// through the context (I/O), and pure verdict functions over what it recorded. The audit layer
// (src/audit/) implements the context; built-in checks register like extensions would.
import type { z } from 'zod';
import { InternalError } from '../core/errors.js';
import type { Level, Verdict } from '../core/verdict.js';
import type { LoadProgress } from '../engine/load/types.js';
import type { BurstItem } from '../engine/burst.js';
import type { ChaosEvent, ChaosPort } from './chaos/port.js';
import type { DownstreamPort } from './downstream/port.js';
import type { ExchangeMeta } from '../engine/client.js';
import type { Exchange, OutgoingRequest } from '../core/exchange.js';
import type { KeyFactory } from '../engine/keys.js';
import type { ExecutionOracle } from '../engine/oracle.js';
import type { RequestFactory } from '../engine/requests.js';
import type { Profile } from '../profiles/index.js';
import type { LoadOutcome } from '../report/model.js';
import type { Endpoint, Scenario } from '../scenario/schema.js';

export type { Level, Verdict };

/** What a check tells the run while it works; the audit adds the check and endpoint ids. */
export type CheckEvent = { type: 'note'; text: string } | { type: 'load-progress'; progress: LoadProgress } | ChaosEvent;

/** A check's conclusion before the engine attaches identity and redacted evidence. */
export interface Finding {
  verdict: Verdict;
  level: Level;
  message: string;
  /** The draft section or profile rule this result checks. */
  reference: string;
  /** The exchanges that prove it (for a pass: what was observed). */
  exchanges: Exchange[];
  /** Figures and facts for reports, e.g. { executions: 3, oracle: 'ledger' }. */
  facts?: Record<string, unknown>;
  /** The exchanges were sent at the same time (the reproduction must send them in parallel). */
  concurrent?: boolean;
  /** A load run's figures and histograms, which the report shows in its load section. */
  load?: LoadOutcome;
  /**
   * Properties of the endpoint this (failed) conclusion presumes. When the endpoint's baseline (see
   * checks/baseline.ts) disproves one, the audit reports the result `inconclusive`, naming the check
   * that owns the root cause, instead of failing it a second time.
   */
  dependsOn?: BaselineProperty[];
}

/**
 * What an endpoint's baseline (first execution, then an identical retry) can disprove:
 * `replay`: the retry got the original's status and body back (or the same resource re-rendered: see
 * `replay-bytes`); `replay-bytes`: the retry's body was byte-for-byte the original's;
 * `single-execution`: the retry did not execute again; `reuse-rejected`: a changed payload sent under
 * the used key afterwards did not execute (owned by payload-mismatch, not by sequential-replay).
 */
export type BaselineProperty = 'replay' | 'replay-bytes' | 'single-execution' | 'reuse-rejected';

/** Marks a failed finding as presuming these baseline properties. */
export function presumes<F extends Finding>(f: F, ...properties: BaselineProperty[]): F {
  f.dependsOn = [...(f.dependsOn ?? []), ...properties];
  return f;
}

export interface HttpPort {
  send(req: OutgoingRequest, meta: ExchangeMeta, timeoutMs?: number): Promise<Exchange>;
  burst(items: BurstItem[]): Promise<Exchange[]>;
  /** Epoch milliseconds of a run-clock reading (Exchange.startedAt), to line up times a server reports. */
  epochMs?(runMs: number): number;
}

/** One instance or region of the API (scenario `targets:`), as the audit resolved it. */
export interface TargetInstance {
  name: string;
  baseUrl: string;
  /** Its execution ledger, when it offers one (every embedded or reference instance does). */
  ledgerUrl?: string;
}

export interface CheckContext<O> {
  scenario: Scenario;
  endpoint: Endpoint;
  profile: Profile;
  options: O;
  http: HttpPort;
  requests: RequestFactory;
  keys: KeyFactory;
  oracle: ExecutionOracle;
  signal: AbortSignal;
  /** Progress notes for the terminal ("round 2/3"); the same as emit({ type: 'note', text }). */
  note(text: string): void;
  /** Typed progress events (load progress, chaos rounds) for the terminal and the event stream. */
  emit(event: CheckEvent): void;
  /** Fault proxy, retry policy, history and target switches for the chaos checks (see chaosOf). */
  chaos?: ChaosPort;
  /**
   * The scenario's `targets:` resolved, and the base URL `requests` builds on (to move a request to
   * another instance); absent or with fewer than two targets, the cross-instance checks skip.
   */
  instances?: { primary: string; targets: TargetInstance[] };
  /** The recorders of the scenario's `downstream:` dependencies, when it declares any (the downstream-* checks). */
  downstream?: DownstreamPort;
}

export interface Check<O> {
  id: string;
  title: string;
  /** One line for `idemaudit list checks`. */
  summary: string;
  /** The option schema, from the check's light module under src/scenario/check-options/. */
  options: z.ZodType<O>;
  /** Runs only when the scenario declares it (it needs fault, retry or load settings). */
  declaredOnly?: boolean;
  /** For a declaredOnly check that also runs on some other condition: when it runs, as `explain` says it. */
  runsWhen?: string;
  /** Whether the check applies to this endpoint; a reason string means "skip, because ...". */
  applies?(ctx: Omit<CheckContext<O>, 'options'>): true | string;
  run(ctx: CheckContext<O>): Promise<Finding[]>;
}

/** Declares a check with typed options (the registry stores it with its options erased). */
export function defineCheck<O>(check: Check<O>): Check<O> {
  return check;
}

export function finding(verdict: Verdict, level: Level, message: string, reference: string, exchanges: Exchange[], facts?: Record<string, unknown>): Finding {
  return facts ? { verdict, level, message, reference, exchanges, facts } : { verdict, level, message, reference, exchanges };
}

/** The chaos port of a check context; throws when the run that built the context has none. */
export function chaosOf<O>(ctx: CheckContext<O>): ChaosPort {
  const chaos = ctx.chaos;
  if (!chaos) throw new InternalError('this check needs the chaos port (run it through runAudit)');
  return chaos;
}
