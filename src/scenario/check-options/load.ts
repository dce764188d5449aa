// Options of the `load` check: the light module the scenario loader validates with, so loading a
// scenario never imports the load engine.
import { z } from 'zod';
import { parseThreshold, ThresholdError } from '../../metrics/thresholds.js';
import { Duration } from '../primitives.js';

/** Load executors: two open models (arrival rate) and one closed model (fixed connections). */
export const EXECUTORS = ['constant-arrival-rate', 'ramping-arrival-rate', 'constant-connections'] as const;

const MAX_RATE = 100_000;
/** Most worker threads one runner starts (more threads than cores only adds switching). */
export const MAX_WORKERS = 64;
const MAX_DURATION_MS = 3_600_000;

const Stage = z.strictObject({
  target: z.number().nonnegative().max(MAX_RATE).describe('Rate (req/s) reached at the end of the stage'),
  duration: Duration.describe('Stage length, e.g. 5s'),
});

export const LoadOptions = z
  .strictObject({
    executor: z
      .enum(EXECUTORS)
      .default('constant-arrival-rate')
      .describe(
        "constant-arrival-rate and ramping-arrival-rate are open models (latency from each request's intended start); constant-connections is a closed model that finds the ceiling",
      ),
    rate: z.number().positive().max(MAX_RATE).optional().describe('Requests per second (constant-arrival-rate)'),
    startRate: z.number().nonnegative().max(MAX_RATE).default(0).describe('Rate at the start of the first stage (ramping-arrival-rate)'),
    stages: z.array(Stage).min(1).max(100).optional().describe('Ramping stages: [{ target, duration }] (ramping-arrival-rate)'),
    connections: z
      .number()
      .int()
      .min(1)
      .max(2000)
      .optional()
      .describe('Connections (closed model: concurrent requests; open models: the socket pool). Default 50'),
    duration: Duration.default(10_000).describe('Length of the run (constant-arrival-rate, constant-connections), e.g. 10s'),
    maxRequests: z
      .number()
      .int()
      .min(1)
      .max(100_000_000)
      .default(1_000_000)
      .describe('Hard cap on requests (also capped by limits.maxRequests): protects staging targets'),
    maxInFlight: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(2000)
      .describe('Open models: requests outstanding at most; further slots are dropped and counted, never queued without bound'),
    duplicates: z.number().min(0).max(0.9).default(0.2).describe('Share of requests that reuse an earlier key (0..0.9)'),
    inFlightDuplicates: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('Share of the duplicates sent immediately after their original, while it is in flight (the rest replay completed originals)'),
    thresholds: z
      .array(z.string())
      .default([])
      .describe('Pass/fail criteria, e.g. "p99 < 250ms", "error_rate < 1%", "duplicate_executions == 0", "replay.p99 < first.p99", "rate >= 95%"'),
    timeoutMs: z.number().int().positive().max(600_000).optional().describe('Per-request timeout (default: defaults.timeoutMs)'),
    tenant: z.string().optional().describe('Tenant whose credentials the traffic uses (default: the first)'),
    shard: z
      .string()
      .regex(/^\d+\/\d+$/, 'a shard is "i/n", e.g. 0/3')
      .optional()
      .describe('Run shard i of n (0-based): every n-th slot of the schedule from i, connections / n, keys of its own; `report --merge` adds the shards up'),
    workers: z
      .union([z.number().int().min(1).max(MAX_WORKERS), z.literal('auto')])
      .optional()
      .describe(
        'Worker threads that send the load (default 1; auto: cores - 1, at least 1): connections, the schedule and the request cap are split across them, keys stay disjoint, histograms merge exactly',
      ),
    startAt: z.string().optional().describe('Wall-clock time (ISO 8601) at which the load starts, so the shards of one run start together'),
  })
  .superRefine((o, ctx) => {
    const issue = (path: Array<string | number>, message: string): void => ctx.addIssue({ code: 'custom', path, message });
    if (o.executor === 'constant-arrival-rate' && o.rate === undefined) issue(['rate'], 'constant-arrival-rate needs a rate (requests per second)');
    if (o.executor === 'ramping-arrival-rate' && o.stages === undefined) issue(['stages'], 'ramping-arrival-rate needs stages: [{ target, duration }]');
    if (o.executor !== 'constant-arrival-rate' && o.rate !== undefined) {
      issue(
        ['rate'],
        o.executor === 'constant-connections'
          ? 'constant-connections is a closed model without a rate: set connections'
          : 'ramping-arrival-rate takes its rates from stages',
      );
    }
    if (o.executor !== 'ramping-arrival-rate' && o.stages !== undefined) issue(['stages'], `stages only apply to ramping-arrival-rate, not ${o.executor}`);
    if (o.stages) {
      const total = o.stages.reduce((s, st) => s + st.duration, 0);
      if (total > MAX_DURATION_MS) issue(['stages'], `stages last ${total} ms; at most ${MAX_DURATION_MS} ms (1 h)`);
      o.stages.forEach((st, i) => {
        if (st.duration <= 0) issue(['stages', i, 'duration'], 'must be positive');
      });
    }
    if (o.duration <= 0 || o.duration > MAX_DURATION_MS) issue(['duration'], `must be between 1 ms and 1 h, got ${o.duration} ms`);
    if (o.shard !== undefined) {
      const s = parseShard(o.shard);
      if (!s) issue(['shard'], `a shard is "i/n" with 0 <= i < n <= 1000, got ${o.shard}`);
      else if (o.executor === 'constant-connections' && o.connections !== undefined && o.connections < s.count) {
        issue(['connections'], `${o.connections} connections cannot be split into ${s.count} shards`);
      }
    }
    if (o.startAt !== undefined && !Number.isFinite(Date.parse(o.startAt))) issue(['startAt'], `not an ISO 8601 time: ${o.startAt}`);
    const mix = mixProblem({ duplicates: o.duplicates, inFlight: o.inFlightDuplicates });
    if (mix) issue(['inFlightDuplicates'], mix);
    o.thresholds.forEach((t, i) => {
      try {
        parseThreshold(t);
      } catch (err) {
        if (err instanceof ThresholdError) issue(['thresholds', i], err.short);
        else throw err;
      }
    });
  });
export type LoadCheckOptions = z.output<typeof LoadOptions>;

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/** "i/n" -> { index, count }, undefined when malformed or out of range. */
export function parseShard(text: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && count <= 1000 && index < count ? { index, count } : undefined;
}

export interface MixRatios {
  /** Share of requests that reuse an earlier key. */
  duplicates: number;
  /** Share of those duplicates sent while their original is in flight. */
  inFlight: number;
}

/** Why a duplicate mix cannot be generated, or undefined. */
export function mixProblem({ duplicates: d, inFlight: f }: MixRatios): string | undefined {
  if (!(d >= 0 && d <= 1)) return `duplicates must be a ratio between 0 and 1, got ${d}`;
  if (!(f >= 0 && f <= 1)) return `inFlightDuplicates must be a share between 0 and 1, got ${f}`;
  if (d === 1) return 'duplicates must be below 1: every duplicate needs an original';
  if (d * f > 1 - d + 1e-12) {
    return `duplicates ${d} with inFlightDuplicates ${f} asks for ${(d * f * 100).toFixed(1)}% in-flight duplicates but only ${((1 - d) * 100).toFixed(1)}% originals; each in-flight duplicate needs its own original (keep duplicates x inFlightDuplicates <= 1 - duplicates)`;
  }
  return undefined;
}
