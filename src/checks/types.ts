// What a check is: options, a plan that talks to the target through the context (I/O), and
// pure verdict functions over what it recorded. Built-in checks register like extensions would.
import type { z } from 'zod';
import type { BurstItem } from '../engine/burst.js';
import type { ChaosPort } from './chaos/port.js';
import type { ExchangeMeta } from '../engine/client.js';
import type { Exchange, OutgoingRequest } from '../core/exchange.js';
import type { KeyFactory } from '../engine/keys.js';
import type { ExecutionOracle } from '../engine/oracle.js';
import type { RequestFactory } from '../engine/requests.js';
import type { Profile } from '../profiles/index.js';
import type { Endpoint, Scenario } from '../scenario/schema.js';
import type { CheckId } from './ids.js';

export type Verdict = 'pass' | 'fail' | 'skip' | 'error';
export type Level = 'violation' | 'deviation' | 'observation';

export const LEVEL_RANK: Record<Level, number> = { observation: 0, deviation: 1, violation: 2 };

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
}

export interface HttpPort {
  send(req: OutgoingRequest, meta: ExchangeMeta, timeoutMs?: number): Promise<Exchange>;
  burst(items: BurstItem[]): Promise<Exchange[]>;
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
  /** Progress notes for the terminal ("round 2/3"). */
  note(text: string): void;
  /** Fault proxy, retry policy, history and target switches for the chaos checks (see chaosOf). */
  chaos?: ChaosPort;
}

export interface Check<O = Record<string, unknown>> {
  id: CheckId;
  title: string;
  /** One line for `idemaudit list checks`. */
  summary: string;
  options: z.ZodType<O>;
  /** Whether the check applies to this endpoint; a reason string means "skip, because ...". */
  applies?(ctx: Omit<CheckContext<O>, 'options'>): true | string;
  run(ctx: CheckContext<O>): Promise<Finding[]>;
}

export function finding(verdict: Verdict, level: Level, message: string, reference: string, exchanges: Exchange[], facts?: Record<string, unknown>): Finding {
  return facts ? { verdict, level, message, reference, exchanges, facts } : { verdict, level, message, reference, exchanges };
}
