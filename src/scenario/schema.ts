// The scenario file format. One zod definition is the source of the TypeScript types, the
// validation and the committed JSON Schema (scenarios/scenario.schema.json), so they never drift.
import { z } from 'zod';
import { CHECK_OPTIONS } from './check-options/index.js';
import { RetryPolicySchema } from './retry-policy.js';
import { FaultSpecSchema } from './fault-specs.js';
import { DownstreamMapSchema } from './downstream.js';

import { Duration, WaitDuration, durationMs, headerMap, headerName, jsonPointer, MAX_TIMEOUT_MS } from './primitives.js';

export { Duration };

const ErrorPolicy = z.enum(['replay', 'release', 'any']);

export const PolicySchema = z
  .strictObject({
    retention: Duration.optional().describe(
      'Declared key retention; the expiry check replays before it and the governance report compares it with what was observed',
    ),
    testRetention: WaitDuration.optional().describe(
      'A short retention the target under test really uses (e.g. serve --ttl 2s); expiry then also checks that a key runs afresh after it',
    ),
    lease: WaitDuration.optional().describe(
      'Declared in-flight lease: how long a claim abandoned mid-flight may block its key; in-flight-recovery fails when 409 outlasts it (plus a margin)',
    ),
    errors: z
      .strictObject({
        '4xx': ErrorPolicy.default('any').describe('What a retry after a 4xx answer must get: the stored 4xx (replay), a fresh attempt (release), or either'),
        '5xx': ErrorPolicy.default('any').describe('What a retry after a 5xx answer must get: the stored 5xx (replay), a fresh attempt (release), or either'),
      })
      .prefault({}),
  })
  .describe("The endpoint's declared idempotency policy; checks grade against it where the profile is silent");

const NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;
const NAME_RULE = 'use letters, digits, dot, dash and underscore';

export const ProbeSchema = z
  .strictObject({
    method: z.enum(['GET', 'POST', 'HEAD']).default('GET'),
    path: z.string().startsWith('/', 'must start with /').describe('Path on the target; may use {{key}}, {{id}} and {{tenant}}'),
    count: jsonPointer.describe('Pointer to a number (executions) or an array (one entry per execution) in the probe response'),
    tenant: z.string().optional().describe('Tenant whose credentials the probe uses (default: the request tenant)'),
  })
  .describe('Side-effect probe: an HTTP request whose response tells how many times the side effect ran for a key');

/**
 * Several instances or regions of the one API under audit, by name (e.g. `eu: https://eu.api.example`,
 * `us: https://us.api.example`). The ordinary checks keep using `target`; cross-instance-duplicates and
 * failover-replay split their traffic across these. `self` starts another embedded server sharing the
 * first one's store (only with `target: self`).
 */
export const TargetsSchema = z
  .record(
    z.string().regex(NAME_PATTERN, NAME_RULE),
    z.union([z.literal('self'), z.url({ protocol: /^https?$/, error: 'must be an http(s) URL or "self"' })], {
      error: 'must be an http(s) URL or "self"',
    }),
  )
  .describe(
    'Named base URLs of the same API (two instances behind a load balancer, or two regions), for cross-instance-duplicates and failover-replay; "self" starts another embedded instance sharing the store of target self',
  );

export const EndpointSchema = z.strictObject({
  name: z.string().regex(NAME_PATTERN, NAME_RULE).describe('Unique endpoint name used in reports'),
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
  path: z.string().startsWith('/', 'must start with /'),
  headers: headerMap.optional(),
  body: z.unknown().optional().describe('Request body: an object is sent as JSON, a string as-is; templates {{uuid}}, {{seq}}, {{random}}, {{tenant}} apply'),
  identity: jsonPointer.optional().describe('Pointer to the created resource id in the response body (side-effect oracle)'),
  probe: ProbeSchema.optional(),
  keyRequired: z
    .enum(['mandatory', 'expected', 'optional'])
    .default('expected')
    .describe('mandatory: a request without a key must be rejected (violation otherwise); expected: per profile (deviation); optional: not checked'),
  risk: z.enum(['critical', 'high', 'medium', 'low']).default('high').describe('Business-risk class for the governance report'),
  policy: PolicySchema.prefault({}),
  faults: z
    .array(FaultSpecSchema)
    .optional()
    .describe(
      'Faults the chaos checks inject into the first attempt through the fault proxy: latency for timeout-retry; drop-response-after-upstream, stall-response, truncate-body, gateway-status, error-after-upstream, reset-before-upstream for lost-response; duplicate-upstream for gateway-duplicate. A check whose kind is not listed uses its defaults',
    ),
  targets: TargetsSchema.optional().describe(
    "This endpoint's instances or regions for cross-instance-duplicates and failover-replay, replacing the scenario's targets: here; {} opts the endpoint out of them (they skip, saying so)",
  ),
});

export const TenantSchema = z.strictObject({
  headers: headerMap.describe('Credential headers that identify this tenant (redacted in every report)'),
});

const statusList = z.array(z.number().int().min(100).max(599)).min(1);

export const CustomProfileSchema = z
  .strictObject({
    extends: z.string().default('ietf-07').describe('Built-in profile this one starts from'),
    title: z.string().optional(),
    keyFormat: z.enum(['sf-string', 'raw']).optional(),
    keyRequired: z.boolean().optional().describe('Whether a mutation without a key must be rejected'),
    expect: z
      .strictObject({ inFlight: statusList.optional(), mismatch: statusList.optional(), missingKey: statusList.optional() })
      .optional()
      .describe('Acceptable statuses per situation'),
    replayMarker: z.strictObject({ header: z.string().min(1), required: z.boolean() }).optional(),
    retention: Duration.optional().describe('Retention the profile promises'),
    errors: z.strictObject({ '4xx': ErrorPolicy.optional(), '5xx': ErrorPolicy.optional() }).optional(),
  })
  .describe('A custom semantics profile: a built-in one with some rules changed');

/** The scenario format with `checks` as a plain record: validate with scenarioSchema(), which parses each check's options. */
export const ScenarioSchema = z.strictObject({
  $schema: z.string().optional().describe('Path or URL of scenario.schema.json, for editors'),
  version: z.literal(1).describe('Scenario format version'),
  name: z.string().regex(NAME_PATTERN, `${NAME_RULE} (it names the report file)`),
  description: z.string().optional(),
  target: z
    .union([z.literal('self'), z.url({ protocol: /^https?$/, error: 'must be an http(s) URL or "self"' })], {
      error: 'must be an http(s) URL or "self"',
    })
    .describe('Base URL of the API under audit, or "self" for the embedded reference server'),
  targets: TargetsSchema.optional(),
  profile: z.string().default('ietf-07').describe('Semantics profile: ietf-07, stripe-v1, or a name declared under profiles'),
  profiles: z.record(z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'use letters, digits, dot, dash and underscore'), CustomProfileSchema).default({}),
  defaults: z
    .strictObject({
      headers: headerMap.optional(),
      keyHeader: headerName.default('Idempotency-Key'),
      keyFormat: z.enum(['sf-string', 'raw']).optional().describe('How keys are written in the header; default from the profile'),
      timeoutMs: durationMs.default(10_000).describe('Per-request timeout in milliseconds'),
      burst: z
        .strictObject({
          mode: z
            .enum(['auto', 'h2-single-packet', 'h1-last-byte'])
            .default('auto')
            .describe(
              'auto: HTTP/2 single-packet bursts where an https target negotiates h2 (ALPN), HTTP/1.1 last-byte bursts otherwise; h2-single-packet on an http:// target speaks h2c (prior knowledge)',
            ),
        })
        .prefault({})
        .describe('How concurrent duplicates are sent (see README "Burst modes")'),
    })
    .prefault({}),
  tenants: z.record(z.string().regex(NAME_PATTERN, NAME_RULE), TenantSchema).default({}),
  ledger: z
    .string()
    .optional()
    .describe('URL or path of a ledger endpoint: GET <ledger>?key=<key> (or with {{key}}/{{tenant}} in it); set automatically for target self'),
  ledgerCount: z
    .string()
    .regex(/^(\/([^~/]|~[01])*)*$/, 'must be a JSON pointer such as /executions or /{{tenant}}/{{key}} (RFC 6901)')
    .optional()
    .describe(
      'Pointer to the executions (a number, or an array with one entry per execution) in the ledger answer; may use {{key}} and {{tenant}} (escaped per RFC 6901); default /executions',
    ),
  observability: z
    .strictObject({
      metrics: z.string().min(1).describe("URL or path (on the target) of the API's Prometheus metrics, scraped before and after the audit"),
      series: z
        .strictObject({
          hit: z.string().optional(),
          miss: z.string().optional(),
          conflict: z.string().optional(),
          error: z.string().optional(),
        })
        .optional()
        .describe('Prometheus selectors (name or name{label="value"}) of the replay-hit, miss, conflict and error series; defaults fit the reference layer'),
    })
    .optional()
    .describe('Where the audit measures observability coverage (GUIDE section 6)'),
  redact: z.array(z.string().min(1)).default([]).describe('Extra header names and JSON body field names to redact in reports'),
  allowHosts: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'Hosts (name or name:port) this scenario may send traffic to besides loopback; a non-loopback target must be listed here or passed with --allow-host',
    ),
  limits: z
    .strictObject({
      maxRequests: z.number().int().positive().default(20_000).describe('Stop the run (exit 3) once this many requests were sent'),
      maxRate: z.number().positive().optional().describe('Requests per second the audit may send at most (a burst counts each copy)'),
      bailout: z
        .strictObject({
          rate: z.number().min(0).max(1).default(0.5).describe('Stop when this share of answers are 5xx...'),
          minRequests: z.number().int().positive().default(20).describe('...once at least this many requests were answered'),
        })
        .prefault({}),
      maxBodyBytes: z
        .number()
        .int()
        .positive()
        .default(1_048_576)
        .describe('Response bytes kept per exchange; larger bodies are hashed whole but kept truncated'),
    })
    .prefault({})
    .describe('Safety rails for audits of shared staging systems'),
  retry: RetryPolicySchema.optional().describe(
    'The client retry policy the chaos checks retry with (same key, same body); default 3 attempts, 100 ms exponential backoff with full jitter',
  ),
  self: z
    .strictObject({
      leaseMs: z.number().int().positive().max(86_400_000).optional().describe('In-flight lease of the embedded server (default 30000)'),
      processingMs: z.number().int().nonnegative().max(MAX_TIMEOUT_MS).optional().describe('Simulated processing time of the embedded server (default 50)'),
    })
    .optional()
    .describe('Settings of the embedded reference server when target is self (ignored for other targets)'),
  hooks: z
    .strictObject({
      storeOutage: z
        .strictObject({
          method: z.enum(['POST', 'PUT', 'GET']).default('POST'),
          path: z
            .string()
            .startsWith('/', 'must start with /')
            .describe('Path on the target that makes its idempotency store fail; {{ms}} is replaced by the outage length in milliseconds'),
          headers: headerMap.optional(),
        })
        .optional()
        .describe("How store-outage makes the target's idempotency store unavailable for a while (the reference server has its own switch)"),
    })
    .optional()
    .describe('Test hooks the target offers to the chaos checks'),
  downstream: DownstreamMapSchema,
  endpoints: z.array(EndpointSchema).min(1, 'declare at least one endpoint'),
  // The static shape only: scenarioSchema() replaces it with one property per registered check.
  checks: z.record(z.string(), z.unknown()).default({}).describe('Checks to run, by id, with their options (null or {} for defaults)'),
});

/**
 * `checks:` as the registered checks define it: one optional property per check id, each parsed
 * with that check's option schema (null or {} for its defaults), so options are parsed once, at
 * load time. An unknown id surfaces as zod's `unrecognized_keys`; the loader words that message.
 */
function checksSchema() {
  const shape: Record<string, z.ZodType> = {};
  for (const { id, schema } of CHECK_OPTIONS.values()) {
    // `null` means the defaults; a check whose options have required fields (load's rate) reports them as problems.
    shape[id] = z
      .union([z.null(), schema])
      .transform((v: unknown, ctx) => {
        if (v !== null) return v;
        const parsed = schema.safeParse({});
        if (parsed.success) return parsed.data;
        for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
        return z.NEVER;
      })
      .optional();
  }
  return z
    .strictObject(shape)
    .default({})
    .describe(`Checks to run, by id, with their options (null or {} for defaults). Known ids: ${CHECK_OPTIONS.ids().join(', ')}`);
}

let cached: { size: number; schema: z.ZodType<Scenario, unknown> } | undefined;

/** The scenario format with the checks registered now (rebuilt when an extension registers one). */
export function scenarioSchema(): z.ZodType<Scenario, unknown> {
  const size = CHECK_OPTIONS.ids().length;
  if (cached?.size !== size) cached = { size, schema: ScenarioSchema.extend({ checks: checksSchema() }) as unknown as z.ZodType<Scenario, unknown> };
  return cached.schema;
}

export type ScenarioInput = z.input<typeof ScenarioSchema>;
/** 1-based line and column of a node in the scenario file. */
export interface SourcePosition {
  line: number;
  column: number;
}
/** The parsed scenario, plus where each endpoint is declared (set by the file loader, for SARIF locations). */
export type Scenario = z.output<typeof ScenarioSchema> & { endpointPositions?: Record<string, SourcePosition> };
export type Endpoint = z.output<typeof EndpointSchema>;
export type Probe = z.output<typeof ProbeSchema>;
export type Tenant = z.output<typeof TenantSchema>;
export type CustomProfile = z.output<typeof CustomProfileSchema>;
export type Policy = z.output<typeof PolicySchema>;
export type { Downstream } from './downstream.js';
