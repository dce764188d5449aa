// `downstream:` in a scenario: the fake dependencies (service B) the audit starts on loopback ports
// before the checks run. The service under audit calls them instead of the real dependency: for
// `target: self` the audit starts the demo pointing at them; an external app is configured (an
// environment variable of its own) to call the recorder at the fixed port declared here.
import { z } from 'zod';
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
      .describe('Loopback port of the recorder. 0 picks a free one (fine for target self); an external app needs the fixed port it is configured to call'),
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
        latency: durationUpTo(MAX_TIMEOUT_MS, '10m').default(0).describe('How long the dependency takes to answer, after recording the call'),
      })
      .prefault({})
      .describe('What the dependency answers every call'),
    failure: z
      .strictObject({
        mode: z.enum(['status', 'drop']).default('status').describe('status: answer `status` after committing; drop: cut the connection after committing'),
        status: z.number().int().min(500).max(599).default(503),
      })
      .prefault({})
      .describe('How downstream-failure makes the dependency fail after committing'),
    endpoints: z.array(z.string().min(1)).optional().describe('Endpoints whose handling calls this dependency (default: every endpoint)'),
    maxCalls: z.number().int().positive().max(1_000_000).default(10_000).describe('Calls the recorder keeps (oldest forgotten first)'),
  })
  .describe('A fake dependency the audit starts and records calls at');

export const DownstreamMapSchema = z
  .record(z.string().regex(NAME_PATTERN, 'use letters, digits, dot, dash and underscore'), DownstreamSchema)
  .default({})
  .describe('Named dependencies (service B) the audit starts as recorders; the downstream-* checks judge the calls they record');

export type Downstream = z.output<typeof DownstreamSchema>;
