// observe on generated traffic with known truth: every planted retry, keyless retry, payload
// reuse and cross-credential reuse is found with exact counts, in every input format.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { observeFile, renderObserve, type ObserveReport } from '../../../src/estate/index.js';
import { collapseIds } from '../../../src/estate/observe/endpoints.js';
import { recordFromLogLine } from '../../../src/estate/observe/access-log.js';
import { parseTime } from '../../../src/estate/observe/record.js';
import { ANDROID, generateTraffic, IOS, toHar, toJsonLines, toNginx, WEB, type GroupTruth } from '../../helpers/traffic.js';

const dir = mkdtempSync(path.join(tmpdir(), 'idemaudit-observe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 600;
const { requests, truth } = generateTraffic(N, 7);
const KEYS = ['Idempotency-Key'];

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function groupsOf(report: ObserveReport): Map<string, GroupTruth> {
  return new Map(report.groups.map(({ endpoint, client, ...counts }) => [`${endpoint}|${client}`, counts]));
}

const sum = (field: keyof GroupTruth) => [...truth.groups.values()].reduce((n, g) => n + g[field], 0);

describe('parseTime', () => {
  it('agrees with Date.parse on ISO forms (its minute cache included), and reads epoch seconds and ms', () => {
    for (const v of [
      '2026-12-01T12:00:00.000Z',
      '2026-12-01T12:00:59.999Z',
      '2026-12-01T12:01:00Z',
      '2026-12-01T12:01:07.25Z',
      '2026-12-01T13:00:00.5+01:00',
      '2026-12-01T12:00:75Z',
      '2026-13-45T10:00:00Z',
    ]) {
      expect(parseTime(v), v).toBe(Date.parse(v));
    }
    expect(parseTime(1764590400)).toBe(1764590400000);
    expect(parseTime('1764590400123')).toBe(1764590400123);
    expect(parseTime('yesterday')).toBeNaN();
  });
});

describe('observe, known truth', () => {
  it('the generator planted every kind of fact (the test would be vacuous otherwise)', () => {
    for (const f of ['keyedRetries', 'keylessRetries', 'keysReusedWithOtherPayload', 'keysUnderTwoCredentials', 'status409', 'status422'] as const) {
      expect(sum(f), f).toBeGreaterThan(5);
    }
  });

  it('JSON lines with a field mapping: exact counts per endpoint and client version', async () => {
    const file = write('t.jsonl', toJsonLines(requests));
    const report = await observeFile(file, {
      keyHeaders: KEYS,
      map: ['time=ts,credential=req.headers.authorization', 'key=req.headers.idempotency-key,client=req.headers.user-agent,body=payload'],
    });
    expect(report.records).toBe(truth.records);
    expect(report.mutations).toBe(truth.mutations);
    expect(report.malformed).toBe(0);
    expect(report.evictedEarly).toBe(0);
    expect(groupsOf(report)).toEqual(truth.groups);
  });

  it('HAR and the documented nginx format give the same exact counts', async () => {
    for (const [name, text, input] of [
      ['t.har', toHar(requests), 'har'],
      ['t.log', toNginx(requests), 'nginx'],
    ] as const) {
      const report = await observeFile(write(name, text), { keyHeaders: KEYS });
      expect(report.input).toBe(input);
      expect(groupsOf(report), name).toEqual(truth.groups);
    }
  });

  it("reads the clients' retry behaviour: exponential with jitter, fixed delay without, no keyed retries", async () => {
    const report = await observeFile(write('b.jsonl', toJsonLines(requests)), {
      keyHeaders: KEYS,
      map: ['time=ts,key=req.headers.idempotency-key,client=req.headers.user-agent,credential=req.headers.authorization,body=payload'],
    });
    const by = new Map(report.clients.map((c) => [c.client, c]));
    expect(by.get(IOS)).toMatchObject({ pattern: 'exponential backoff', jitter: 'yes' });
    expect(by.get(ANDROID)).toMatchObject({ pattern: 'fixed delay', jitter: 'no' });
    // HdrHistogram keeps 3 significant digits.
    expect(by.get(ANDROID)!.intervalMs!.p50).toBeCloseTo(2000, -1);
    expect(by.get(ANDROID)!.intervalMs!.max).toBeCloseTo(2000, -1);
    expect(by.get(WEB)).toMatchObject({ pattern: 'none', retries: 0, keylessRetries: sum('keylessRetries') });
    const keyed = [IOS, ANDROID].map((c) => by.get(c)!.retries).reduce((a, b) => a + b);
    expect(keyed).toBe(sum('keyedRetries'));
    // The histogram holds every retry interval once.
    for (const c of report.clients) expect(c.histogram.reduce((n, b) => n + b.count, 0)).toBe(c.retries);
    const html = renderObserve(report, 'html');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).not.toContain('customer-');
  });

  it('spec templates name endpoints; without a spec, ids are collapsed', async () => {
    const file = write('s.har', toHar(requests));
    const report = await observeFile(file, { keyHeaders: KEYS, templates: ['/payments', '/orders/{orderId}/capture'] });
    expect(new Set(report.groups.map((g) => g.endpoint))).toEqual(new Set(['POST /payments', 'POST /orders/{orderId}/capture']));
    expect(collapseIds('/orders/ord_255sx3/capture')).toBe('/orders/{id}/capture');
    expect(collapseIds('/v2/users/123/cards/6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b')).toBe('/v2/users/{id}/cards/{id}');
    expect(collapseIds('/v2/payments')).toBe('/v2/payments');
  });

  it('a cap on tracked keys keeps memory bounded and says counts became lower bounds', async () => {
    const report = await observeFile(write('c.har', toHar(requests)), { keyHeaders: KEYS, maxTracked: 1 });
    expect(report.evictedEarly).toBeGreaterThan(0);
    expect(report.totals.keyedRetries).toBeLessThanOrEqual(sum('keyedRetries'));
    expect(renderObserve(report, 'terminal')).toContain('retry counts are lower bounds');
  });

  it('Envoy lines, malformed lines counted, and a file nothing can be read from is a usage error', async () => {
    const line = '[2026-12-01T12:00:00.000Z] "POST /payments?x=1 HTTP/1.1" 201 "okhttp/4.12.0" "k-1" "Bearer t" ';
    expect(recordFromLogLine(line)).toEqual({
      time: Date.UTC(2026, 11, 1, 12),
      method: 'POST',
      path: '/payments',
      status: 201,
      client: 'okhttp/4.12.0',
      key: 'k-1',
      credential: 'Bearer t',
    });
    expect(recordFromLogLine('[2026-12-01T12:00:00.000Z] "DELETE /carts/1 HTTP/2" 204 "-" "-" "-"')).toEqual({
      time: Date.UTC(2026, 11, 1, 12),
      method: 'DELETE',
      path: '/carts/1',
      status: 204,
    });
    const mixed = write('m.log', `${line}\nnot a log line\n${line.replace('k-1', 'k-2')}\n`);
    const report = await observeFile(mixed, { keyHeaders: KEYS, input: 'envoy' });
    expect(report).toMatchObject({ records: 2, malformed: 1, malformedAt: [2] });
    await expect(observeFile(write('bad.jsonl', '{"a":1}\n{"b":2}\n'), { keyHeaders: KEYS })).rejects.toThrow(/no request could be read/);
  });
});
