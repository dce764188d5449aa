// Synthetic traffic with known truth for `observe`: N logical requests from three client versions
// with planted keyed retries (exponential with jitter; fixed delay without), keyless retries,
// key reuse with another payload, and keys reused under a second credential. Every planted fact
// is counted here, so the analysis can be asserted exactly. Deterministic for a seed.

export interface GeneratedRequest {
  time: number;
  method: string;
  path: string;
  status: number;
  key?: string;
  client: string;
  credential: string;
  body?: string;
}

export interface GroupTruth {
  mutations: number;
  withKey: number;
  keyedRetries: number;
  keysRetried: number;
  keysReusedWithOtherPayload: number;
  keysUnderTwoCredentials: number;
  keylessRetries: number;
  status409: number;
  status422: number;
  status5xx: number;
}

export interface TrafficTruth {
  records: number;
  mutations: number;
  groups: Map<string, GroupTruth>;
}

export const IOS = 'shop-ios/3.1.0';
export const ANDROID = 'shop-android/2.4.0';
export const WEB = 'legacy-web/1.0';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const emptyTruth = (): GroupTruth => ({
  mutations: 0,
  withKey: 0,
  keyedRetries: 0,
  keysRetried: 0,
  keysReusedWithOtherPayload: 0,
  keysUnderTwoCredentials: 0,
  keylessRetries: 0,
  status409: 0,
  status422: 0,
  status5xx: 0,
});

export function generateTraffic(n: number, seed = 1): { requests: GeneratedRequest[]; truth: TrafficTruth } {
  const random = rng(seed);
  const out: GeneratedRequest[] = [];
  const groups = new Map<string, GroupTruth>();
  const g = (endpoint: string, client: string): GroupTruth => {
    const id = `${endpoint}|${client}`;
    if (!groups.has(id)) groups.set(id, emptyTruth());
    return groups.get(id)!;
  };
  const t0 = Date.UTC(2026, 11, 1, 12, 0, 0);
  let reads = 0;
  for (let i = 0; i < n; i++) {
    const start = t0 + i * 5000; // 5 s apart: retries of one request never meet another's
    const client = [IOS, ANDROID, WEB][i % 3]!;
    const credential = `Bearer customer-${i % 20}`;
    const capture = i % 7 === 3;
    const endpoint = capture ? 'POST /orders/{id}/capture' : 'POST /payments';
    const path = capture ? `/orders/ord_${(100000 + i).toString(36)}x${i}/capture` : '/payments';
    const body = JSON.stringify({ amount: 100 + i, currency: 'EUR', reference: `r-${i}` });
    const truth = g(endpoint, client);
    const send = (req: Omit<GeneratedRequest, 'client' | 'credential' | 'method' | 'path'> & Partial<GeneratedRequest>) => {
      out.push({ method: 'POST', path, client, credential, ...req });
      truth.mutations += 1;
      if (req.key !== undefined) truth.withKey += 1;
      if (req.status === 409) truth.status409 += 1;
      if (req.status === 422) truth.status422 += 1;
    };
    // Reads are not mutations: counted as records, ignored by the analysis.
    if (i % 5 === 0) {
      out.push({ time: start + 1, method: 'GET', path: `/payments/pay_${i}abcdef`, status: 200, client, credential });
      reads += 1;
    }
    if (client === WEB) {
      // No key at all; every 4th request retried once after 300-700 ms with the same payload.
      send({ time: start, status: 201, body });
      if (i % 4 === 0) {
        send({ time: start + 300 + Math.floor(random() * 400), status: 201, body });
        truth.keylessRetries += 1;
      }
      continue;
    }
    const key = `k-${seed}-${i}`;
    // iOS: exponential backoff with full jitter, 0-3 retries; Android: fixed 2 s, 0-2 retries.
    const retries = client === IOS ? Math.floor(random() * 4) : Math.floor(random() * 3);
    let t = start;
    send({ time: t, status: retries > 0 ? 504 : 201, key, body });
    if (retries > 0) truth.status5xx += 1;
    for (let r = 1; r <= retries; r++) {
      const delay = client === IOS ? Math.round(1000 * 2 ** (r - 1) * (0.5 + random())) : 2000;
      t += delay;
      const last = r === retries;
      const status = last ? 201 : r % 2 === 1 ? 409 : 504;
      send({ time: t, status, key, body });
      if (status === 504) truth.status5xx += 1;
      truth.keyedRetries += 1;
      if (r === 1) truth.keysRetried += 1;
    }
    // Every 11th keyed request: the key reused 100 ms later for another payload (a client bug).
    if (i % 11 === 1) {
      t += 100;
      send({ time: t, status: 422, key, body: JSON.stringify({ amount: 999, currency: 'EUR', reference: `other-${i}` }) });
      truth.keysReusedWithOtherPayload += 1;
    }
    // Every 13th keyed request: the same key sent by another customer (not a retry).
    if (i % 13 === 2) {
      out.push({ time: t + 50, method: 'POST', path, status: 201, key, client, credential: `Bearer customer-${(i % 20) + 100}`, body });
      truth.mutations += 1;
      truth.withKey += 1;
      truth.keysUnderTwoCredentials += 1;
    }
  }
  out.sort((a, b) => a.time - b.time);
  return { requests: out, truth: { records: out.length, mutations: out.length - reads, groups } };
}

export function toJsonLines(requests: GeneratedRequest[]): string {
  return (
    requests
      .map((r) =>
        JSON.stringify({
          ts: new Date(r.time).toISOString(),
          method: r.method,
          path: r.path,
          status: r.status,
          req: { headers: { 'idempotency-key': r.key, 'user-agent': r.client, authorization: r.credential } },
          payload: r.body,
        }),
      )
      .join('\n') + '\n'
  );
}

export function toHar(requests: GeneratedRequest[]): string {
  const entries = requests.map((r) => ({
    startedDateTime: new Date(r.time).toISOString(),
    request: {
      method: r.method,
      url: `http://127.0.0.1:4000${r.path}?v=1`,
      headers: [
        { name: 'User-Agent', value: r.client },
        { name: 'Authorization', value: r.credential },
        ...(r.key ? [{ name: 'Idempotency-Key', value: r.key }] : []),
      ],
      ...(r.body ? { postData: { mimeType: 'application/json', text: r.body } } : {}),
    },
    response: { status: r.status },
  }));
  return JSON.stringify({ log: { version: '1.2', creator: { name: 'gen', version: '1' }, entries } });
}

/** The documented nginx format, body included. */
export function toNginx(requests: GeneratedRequest[]): string {
  const q = (v: string | undefined) => `"${v === undefined ? '-' : v.replace(/"/g, '\\x22')}"`;
  return (
    requests
      .map((r) => `${new Date(r.time).toISOString()} "${r.method} ${r.path} HTTP/1.1" ${r.status} ${q(r.client)} ${q(r.key)} ${q(r.credential)} ${q(r.body)}`)
      .join('\n') + '\n'
  );
}
