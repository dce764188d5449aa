// `downstream:` in a scenario: the fake dependencies (service B) the audit starts on loopback ports
// before the checks run. The service under audit calls them instead of the real dependency: for
// `target: self` the audit starts the demo pointing at them; an external app is configured (an
// environment variable of its own) to call the recorder at the fixed port declared here.
import { z } from 'zod';
import { FaultSpecSchema, type FaultSpec } from './fault-specs.js';
import { headerName, durationUpTo, MAX_TIMEOUT_MS } from './primitives.js';

const NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;

export const DownstreamSchema = z
  .strictObject({
    port: z
      .number()
      .int()
      .min(0)
      .max(65_535)
      .default(0)
      .describe(
        'Loopback port the app calls: the port of the fault proxy in front of the recorder. 0 picks a free one (fine for target self); an external app needs the fixed port it is configured to call',
      ),
    keyHeader: headerName.default('Idempotency-Key').describe('Header that must carry the idempotency key at the dependency'),
    correlationHeader: headerName
      .default('X-Request-Id')
      .describe('Header the audit sends a fresh correlation id in, and that must reach the dependency with the same value'),
    derivation: z
      .enum(['same', 'stable'])
      .default('stable')
      .describe(
        "How the app derives the dependency's key from its own: same (forwarded verbatim) or stable (any function of the client's key that is the same on every attempt and differs between keys)",
      ),
    response: z
      .strictObject({
        status: z.number().int().min(200).max(599).default(201),
        body: z.unknown().optional().describe('Answer body: an object is sent as JSON, a string as-is (default {"status":"accepted"})'),
        latency: durationUpTo(MAX_TIMEOUT_MS, '10m')
          .default(0)
          .describe('How long the dependency takes to answer, after recording the call (a latency fault under faults: delays the call before B sees it)'),
      })
      .prefault({})
      .describe('What the dependency answers every call'),
    faults: z
      .array(FaultSpecSchema)
      .default([])
      .describe(
        "Faults the fault proxy in front of the recorder injects into the calls that match (the same specs as an endpoint's faults:): latency before B sees a call; drop-response-after-upstream, stall-response, error-after-upstream, gateway-status after B committed it",
      ),
    failure: z
      .strictObject({
        mode: z
          .enum(['status', 'drop'])
          .default('status')
          .describe('status: the fault error-after-upstream with `status`; drop: the fault drop-response-after-upstream (B commits, the answer never arrives)'),
        status: z.number().int().min(500).max(599).default(503),
      })
      .prefault({})
      .describe(
        'The fault downstream-failure has the proxy inject into the one call it rehearses (B commits, then the app gets an error or no answer); other calls never get it',
      ),
    endpoints: z.array(z.string().min(1)).optional().describe('Endpoints whose handling calls this dependency (default: every endpoint)'),
    maxCalls: z.number().int().positive().max(1_000_000).default(10_000).describe('Calls the recorder keeps (oldest forgotten first)'),
  })
  .describe('A fake dependency the audit starts and records calls at');

export const DownstreamMapSchema = z
  .record(z.string().regex(NAME_PATTERN, 'use letters, digits, dot, dash and underscore'), DownstreamSchema)
  .default({})
  .describe('Named dependencies (service B) the audit starts as recorders; the downstream-* checks judge the calls they record');

export type Downstream = z.output<typeof DownstreamSchema>;

/** The proxy fault `failure:` stands for: mode status is error-after-upstream with its status, mode drop is drop-response-after-upstream. */
export function failureFault(failure: Downstream['failure']): FaultSpec {
  return failure.mode === 'drop'
    ? { name: 'drop-response-after-upstream', probability: 1 }
    : { name: 'error-after-upstream', probability: 1, status: failure.status };
}
