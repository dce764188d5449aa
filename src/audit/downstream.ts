// Starts the scenario's `downstream:` dependencies before the checks run, and gives the checks a
// port onto them. Each dependency is a recorder (service B) on an internal ephemeral port behind a
// fault proxy on the declared port: the app calls the proxy, which forwards to the recorder,
// transparently unless the dependency's `faults:` (or a check's one-shot fault) say otherwise. For
// `target: self` every proxy listens on a free loopback port and the embedded server is started
// pointing at the first one; an external app cannot learn a free port, so it calls the fixed port
// the scenario declares (configured in the app, e.g. with an environment variable), and a port of 0
// is refused for it.
import { UsageError } from '../core/errors.js';
import { CALLS_PATH, startDownstreamRecorder, type DownstreamRecorder, type RecorderOptions } from '../downstream/index.js';
import { startFaultProxy, type FaultEvent, type FaultProxy, type FaultProxyOptions } from '../faults/index.js';
import type { DownstreamBinding, DownstreamPort } from '../checks/downstream/port.js';
import type { Scenario } from '../scenario/schema.js';

export interface DownstreamRuntime {
  port: DownstreamPort | undefined;
  /** name -> URL the app calls (each proxy's), in declaration order. */
  urls: Array<[string, string]>;
  close(): Promise<void>;
}

/** A recorder behind its fault proxy. */
export interface DownstreamService {
  /** What the app calls: the proxy's URL. */
  readonly url: string;
  readonly port: number;
  readonly recorder: DownstreamRecorder;
  readonly proxy: FaultProxy;
  close(): Promise<void>;
}

export interface DownstreamServiceOptions extends Omit<RecorderOptions, 'port'> {
  /** The proxy's port (what the app calls); 0 picks a free one. The recorder always takes a free one. */
  port: number;
  /** Fault specs of the proxy, tried in order on every call (none: transparent). */
  faults?: FaultProxyOptions['faults'];
  seed: string;
  onFault?: (event: FaultEvent) => void;
}

/**
 * Starts a recorder on a free loopback port and a fault proxy in front of it on `port`. The
 * recorder's query route (GET /_downstream/calls) always passes the proxy untouched.
 */
export async function startDownstreamService(options: DownstreamServiceOptions): Promise<DownstreamService> {
  const { port, faults = [], seed, onFault, ...recorderOptions } = options;
  const recorder = await startDownstreamRecorder({ ...recorderOptions, port: 0 });
  let proxy: FaultProxy;
  try {
    proxy = await startFaultProxy({
      upstream: recorder.url,
      port,
      ...(options.host !== undefined ? { host: options.host } : {}),
      faults,
      seed,
      transparentPaths: [CALLS_PATH],
      // B may be configured to answer late (up to 10 min): the proxy waits for it, plus its own margin.
      upstreamTimeoutMs: (recorderOptions.response?.latencyMs ?? 0) + 60_000,
      ...(onFault ? { onEvent: onFault } : {}),
    });
  } catch (err) {
    await recorder.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    url: proxy.url,
    port: proxy.port,
    recorder,
    proxy,
    close() {
      closing ??= (async () => {
        await proxy.close();
        await recorder.close();
      })();
      return closing;
    },
  };
}

const bodyOf = (body: unknown): string | undefined => (body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));

/**
 * `onFault` hears every fault a dependency's proxy injected (its `faults:` and the checks' one-shots),
 * with the dependency's name: the run writes them to the chaos history.
 */
export async function startDownstream(
  scenario: Scenario,
  isSelf: boolean,
  seed: string,
  onFault?: (name: string, event: FaultEvent) => void,
): Promise<DownstreamRuntime> {
  const declared = Object.entries(scenario.downstream);
  if (declared.length === 0) return { port: undefined, urls: [], close: async () => {} };
  const names = scenario.endpoints.map((e) => e.name);
  for (const [name, d] of declared) {
    if (!isSelf && d.port === 0)
      throw new UsageError(
        `downstream ${name}: an external target cannot learn a free port, so declare the fixed port its app calls (port: 0 works for target self only)`,
        `set downstream.${name}.port, and configure the app to call http://127.0.0.1:<port>`,
      );
    const unknown = (d.endpoints ?? []).filter((e) => !names.includes(e));
    if (unknown.length > 0) throw new UsageError(`downstream ${name}: unknown endpoint(s) ${unknown.join(', ')}; declared: ${names.join(', ')}`);
  }
  const started: Array<[string, DownstreamService]> = [];
  try {
    for (const [name, d] of declared) {
      const body = bodyOf(d.response.body);
      const service = await startDownstreamService({
        port: d.port,
        keyHeader: d.keyHeader,
        correlationHeader: d.correlationHeader,
        maxCalls: d.maxCalls,
        response: { status: d.response.status, latencyMs: d.response.latency, ...(body !== undefined ? { body } : {}) },
        faults: d.faults,
        // One seed per dependency: the same run seed replays the same fault decisions at each.
        seed: `${seed}/downstream/${name}`,
        ...(onFault ? { onFault: (e: FaultEvent) => onFault(name, e) } : {}),
      }).catch((err: unknown) => {
        throw new UsageError(`downstream ${name}: cannot listen on 127.0.0.1:${d.port} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      });
      started.push([name, service]);
    }
  } catch (err) {
    await Promise.all(started.map(([, s]) => s.close()));
    throw err;
  }
  const bindings: DownstreamBinding[] = started.map(([name, s]) => ({
    name,
    url: s.url,
    recorder: s.recorder,
    proxy: s.proxy,
    declared: scenario.downstream[name]!,
  }));
  return {
    port: { forEndpoint: (endpoint) => bindings.filter((b) => b.declared.endpoints === undefined || b.declared.endpoints.includes(endpoint)) },
    urls: started.map(([name, s]) => [name, s.url]),
    close: async () => {
      await Promise.all(started.map(([, s]) => s.close()));
    },
  };
}
