// Resolving `targets:` (several instances or regions of the API under audit: the scenario's, and any
// endpoint's own, which replaces it for that endpoint) into base URLs and ledgers for the cross-instance
// checks. `self` entries are embedded instances: in each map the first is the primary `target: self`
// itself, each further one a peer sharing its store (peers are started once and shared by the maps).
import type { TargetInstance } from '../checks/api.js';
import { UsageError } from '../core/errors.js';
import type { TlsOptions } from '../engine/client.js';
import { assertTargetAllowed } from '../engine/guard.js';
import type { Endpoint, Scenario } from '../scenario/schema.js';
import { assertReachable, detectLedger, type ResolvedTarget, type SelfServer } from './target.js';

export interface ResolvedInstances {
  /** The instances an endpoint's checks span: its own `targets:`, else the scenario's; undefined when neither declares any. */
  for(endpoint: Endpoint): TargetInstance[] | undefined;
  close(): Promise<void>;
}

/** Every `targets:` map of the scenario, with where it is declared (`targets`, `endpoints.<name>.targets`). */
export function targetMaps(scenario: Scenario): Array<{ at: string; map: Record<string, string> }> {
  const own = scenario.endpoints.filter((e) => e.targets !== undefined).map((e) => ({ at: `endpoints.${e.name}.targets`, map: e.targets! }));
  return [...(scenario.targets ? [{ at: 'targets', map: scenario.targets }] : []), ...own];
}

/** Whether any instance is declared at all (the scenario's map, or an endpoint's). */
export function declaresInstances(scenario: Scenario): boolean {
  return targetMaps(scenario).length > 0;
}

/** Every instance URL declared anywhere (not `self`), e.g. for redaction. */
export function instanceUrls(scenario: Scenario): string[] {
  return [...new Set(targetMaps(scenario).flatMap(({ map }) => Object.values(map).filter((u) => u !== 'self')))];
}

/** Before any traffic: every instance is an allowed host, and `self` entries have an embedded primary to share with. */
export function assertInstancesAllowed(scenario: Scenario, target: string, allowed: string[]): void {
  for (const { at, map } of targetMaps(scenario)) {
    for (const [name, url] of Object.entries(map)) {
      if (url !== 'self') assertTargetAllowed(url, allowed, `${at}.${name}`);
      else if (target !== 'self') throw new UsageError(`${at}.${name} is 'self', but the audit's target is not self`, "give this instance's base URL");
    }
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
  // One resolution per URL, whichever maps name it (reachability and ledger detection once).
  const byUrl = new Map<string, Omit<TargetInstance, 'name'>>();
  const resolveUrl = async (value: string): Promise<Omit<TargetInstance, 'name'>> => {
    const baseUrl = value.replace(/\/+$/, '');
    const known = byUrl.get(baseUrl);
    if (known) return known;
    let resolved: Omit<TargetInstance, 'name'>;
    if (opts.dryRun) resolved = { baseUrl };
    else if (baseUrl === primary.baseUrl) resolved = { baseUrl, ...(primary.ledgerUrl ? { ledgerUrl: primary.ledgerUrl } : {}) };
    else {
      await assertReachable(baseUrl, opts.timeoutMs, opts.signal, opts.tls);
      // A declared ledger path is per instance; an absolute ledger URL is one ledger every instance shares.
      const ledger = scenario.ledger
        ? scenario.ledger.startsWith('/')
          ? `${baseUrl}${scenario.ledger}`
          : scenario.ledger
        : await detectLedger(baseUrl, opts.timeoutMs, opts.signal, opts.tls);
      resolved = { baseUrl, ...(ledger ? { ledgerUrl: ledger } : {}) };
    }
    byUrl.set(baseUrl, resolved);
    return resolved;
  };
  // The k-th `self` of a map: the primary for k = 0, else the (k-1)-th peer, started on first need.
  const selfInstance = async (at: string, name: string, k: number): Promise<Omit<TargetInstance, 'name'>> => {
    if (opts.dryRun) return { baseUrl: k === 0 ? primary.baseUrl : `http://self-${name}` };
    if (!opts.isSelf) throw new UsageError(`${at}.${name} is 'self', but the audit's target is not self`, "give this instance's base URL");
    if (k === 0) return { baseUrl: primary.baseUrl, ...(primary.ledgerUrl ? { ledgerUrl: primary.ledgerUrl } : {}) };
    while (peers.length < k) {
      if (!primary.peer) throw new UsageError(`${at}.${name} is 'self', but the embedded server cannot start a peer instance`);
      peers.push(await primary.peer());
    }
    const peer = peers[k - 1]!;
    return { baseUrl: peer.url, ledgerUrl: `${peer.url}/_idemaudit/ledger` };
  };
  const resolveMap = async (at: string, map: Record<string, string>): Promise<TargetInstance[]> => {
    const out: TargetInstance[] = [];
    let selves = 0;
    for (const [name, value] of Object.entries(map)) {
      out.push({ name, ...(value === 'self' ? await selfInstance(at, name, selves++) : await resolveUrl(value)) });
    }
    return out;
  };
  let shared: TargetInstance[] | undefined;
  const own = new Map<string, TargetInstance[]>();
  try {
    if (scenario.targets) shared = await resolveMap('targets', scenario.targets);
    for (const e of scenario.endpoints) if (e.targets) own.set(e.name, await resolveMap(`endpoints.${e.name}.targets`, e.targets));
  } catch (err) {
    await close();
    throw err;
  }
  return { for: (endpoint) => own.get(endpoint.name) ?? shared, close };
}
