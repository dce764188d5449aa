// Starts the scenario's `downstream:` dependencies as recorders before the checks run, and gives the
// checks a port onto them. For `target: self` every recorder listens on a free loopback port and
// the embedded server is started pointing at the first one; an external app cannot learn a free
// port, so it calls the fixed port the scenario declares (configured in the app, e.g. with an
// environment variable), and a port of 0 is refused for it.
import { UsageError } from '../core/errors.js';
import { startDownstreamRecorder, type DownstreamRecorder } from '../downstream/index.js';
import type { DownstreamBinding, DownstreamPort } from '../checks/downstream/port.js';
import type { Scenario } from '../scenario/schema.js';

export interface DownstreamRuntime {
  port: DownstreamPort | undefined;
  /** name -> URL of each recorder, in declaration order. */
  urls: Array<[string, string]>;
  close(): Promise<void>;
}

const bodyOf = (body: unknown): string | undefined => (body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));

export async function startDownstream(scenario: Scenario, isSelf: boolean): Promise<DownstreamRuntime> {
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
  const started: Array<[string, DownstreamRecorder]> = [];
  try {
    for (const [name, d] of declared) {
      const body = bodyOf(d.response.body);
      const recorder = await startDownstreamRecorder({
        port: d.port,
        keyHeader: d.keyHeader,
        correlationHeader: d.correlationHeader,
        maxCalls: d.maxCalls,
        response: { status: d.response.status, latencyMs: d.response.latency, ...(body !== undefined ? { body } : {}) },
      }).catch((err: unknown) => {
        throw new UsageError(`downstream ${name}: cannot listen on 127.0.0.1:${d.port} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      });
      started.push([name, recorder]);
    }
  } catch (err) {
    await Promise.all(started.map(([, r]) => r.close()));
    throw err;
  }
  const bindings: DownstreamBinding[] = started.map(([name, recorder]) => ({ name, recorder, declared: scenario.downstream[name]! }));
  return {
    port: { forEndpoint: (endpoint) => bindings.filter((b) => b.declared.endpoints === undefined || b.declared.endpoints.includes(endpoint)) },
    urls: started.map(([name, r]) => [name, r.url]),
    close: async () => {
      await Promise.all(started.map(([, r]) => r.close()));
    },
  };
}
