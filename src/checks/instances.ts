// Helpers of the checks that span several instances or regions of one API (scenario `targets:`):
// which instances there are, moving a request to one of them, and which ledgers count executions.
import type { OutgoingRequest } from '../core/exchange.js';
import type { CheckContext, TargetInstance } from './api.js';

/** The declared instances when there are at least two; otherwise why a cross-instance check skips. */
export function instancesOf(ctx: Omit<CheckContext<unknown>, 'options'>): TargetInstance[] | string {
  const targets = ctx.instances?.targets ?? [];
  if (targets.length >= 2) return targets;
  // `targets: {}` on an endpoint: the scenario's instances do not apply here, deliberately.
  if (ctx.endpoint.targets !== undefined && Object.keys(ctx.endpoint.targets).length === 0)
    return 'not run: this endpoint opts out of the instance checks (`targets: {}` on the endpoint)';
  return targets.length === 0
    ? 'not run: no `targets:` declared (list two instances or regions of this API to test them against each other)'
    : `not run: only one target declared (${targets[0]!.name}); list at least two instances or regions`;
}

/** A cross-instance check's `applies`: with two or more targets, or the reason it skips. */
export function appliesToInstances(ctx: Omit<CheckContext<unknown>, 'options'>): true | string {
  const instances = instancesOf(ctx);
  return typeof instances === 'string' ? instances : true;
}

/** The request as sent to `instance` instead of the primary base URL the request factory builds on. */
export function onInstance(ctx: CheckContext<unknown>, request: OutgoingRequest, instance: TargetInstance): OutgoingRequest {
  const primary = ctx.instances?.primary ?? '';
  // The factory always builds `<primary><path>`; anything else (an absolute probe URL) stays where it is.
  if (!primary || !request.url.startsWith(primary)) return request;
  return { ...request, url: instance.baseUrl + request.url.slice(primary.length) };
}

/** Every distinct ledger among the instances (one shared ledger is read once). */
export function ledgersOf(instances: TargetInstance[]): string[] {
  return [...new Set(instances.map((i) => i.ledgerUrl).filter((u): u is string => u !== undefined))];
}

/** Instances whose executions no ledger counts, for facts: with per-instance ledgers their executions go unseen. */
export function unledgered(instances: TargetInstance[]): string[] {
  return instances.filter((i) => i.ledgerUrl === undefined).map((i) => i.name);
}
