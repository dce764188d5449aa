// Resolving the scenario's `targets:` (several instances or regions of the API under audit) into base
// URLs and ledgers for the cross-instance checks. `self` entries are embedded instances: the first is
// the primary `target: self` itself, each further one a peer sharing its store.
import type { TargetInstance } from '../checks/api.js';
import { UsageError } from '../core/errors.js';
import type { TlsOptions } from '../engine/client.js';
import { assertTargetAllowed } from '../engine/guard.js';
import type { Scenario } from '../scenario/schema.js';
import { assertReachable, detectLedger, type ResolvedTarget, type SelfServer } from './target.js';

export interface ResolvedInstances {
  targets: TargetInstance[];
  close(): Promise<void>;
}

/** Before any traffic: every instance is an allowed host, and `self` entries have an embedded primary to share with. */
export function assertInstancesAllowed(scenario: Scenario, target: string, allowed: string[]): void {
  for (const [name, url] of Object.entries(scenario.targets ?? {})) {
    if (url !== 'self') assertTargetAllowed(url, allowed, `targets.${name}`);
    else if (target !== 'self') throw new UsageError(`targets.${name} is 'self', but the audit's target is not self`, "give this instance's base URL");
  }
}

export async function resolveInstances(
  scenario: Scenario,
  primary: ResolvedTarget,
  opts: { isSelf: boolean; dryRun: boolean; timeoutMs: number; signal: AbortSignal; tls?: TlsOptions },
): Promise<ResolvedInstances> {
  const peers: SelfServer[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(peers.map((p) => p.close().catch(() => {})));
  };
  const targets: TargetInstance[] = [];
  let selfUsed = false;
  try {
    for (const [name, value] of Object.entries(scenario.targets ?? {})) {
      if (opts.dryRun) {
        // Nothing is started: a further embedded instance shows under its name.
        const first = value === 'self' && !selfUsed;
        if (value === 'self') selfUsed = true;
        targets.push({ name, baseUrl: value !== 'self' ? value.replace(/\/+$/, '') : first ? primary.baseUrl : `http://self-${name}` });
        continue;
      }
      if (value === 'self') {
        if (!opts.isSelf) throw new UsageError(`targets.${name} is 'self', but the audit's target is not self`, "give this instance's base URL");
        if (!selfUsed) {
          selfUsed = true;
          targets.push({ name, baseUrl: primary.baseUrl, ...(primary.ledgerUrl ? { ledgerUrl: primary.ledgerUrl } : {}) });
          continue;
        }
        if (!primary.peer) throw new UsageError(`targets.${name} is 'self', but the embedded server cannot start a peer instance`);
        const peer = await primary.peer();
        peers.push(peer);
        targets.push({ name, baseUrl: peer.url, ledgerUrl: `${peer.url}/_idemaudit/ledger` });
        continue;
      }
      const baseUrl = value.replace(/\/+$/, '');
      if (baseUrl === primary.baseUrl) {
        targets.push({ name, baseUrl, ...(primary.ledgerUrl ? { ledgerUrl: primary.ledgerUrl } : {}) });
        continue;
      }
      await assertReachable(baseUrl, opts.timeoutMs, opts.signal, opts.tls);
      // A declared ledger path is per instance; an absolute ledger URL is one ledger every instance shares.
      const ledger = scenario.ledger
        ? scenario.ledger.startsWith('/')
          ? `${baseUrl}${scenario.ledger}`
          : scenario.ledger
        : await detectLedger(baseUrl, opts.timeoutMs, opts.signal, opts.tls);
      targets.push({ name, baseUrl, ...(ledger ? { ledgerUrl: ledger } : {}) });
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { targets, close };
}
