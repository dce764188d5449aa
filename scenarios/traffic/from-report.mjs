// Turn the exchanges of an idemaudit JSON report into the sample traffic files `observe` reads:
//   node scenarios/traffic/from-report.mjs reports/<run>.json scenarios/traffic
// writes sample.har (HAR 1.2) and sample.jsonl (one request per line). Reports redact credentials,
// so each tenant gets a stand-in demo token; the User-Agent names the auditor that sent the traffic.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [reportFile, outDir = '.'] = process.argv.slice(2);
if (!reportFile) {
  console.error('usage: node scenarios/traffic/from-report.mjs <report.json> [out-dir]');
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const t0 = Date.parse(report.startedAt);
const agent = `idemaudit/${report.tool?.version ?? '0'}`;
const exchanges = (report.exchanges ?? []).filter((e) => e.request).sort((a, b) => a.startedAt - b.startedAt);

const credentialOf = (e) => (e.tenant ? `Bearer demo-${e.tenant}` : undefined);
const requestHeaders = (e) => {
  const h = { ...e.request.headers, 'user-agent': agent };
  const cred = credentialOf(e);
  if (cred) h.authorization = cred;
  else delete h.authorization;
  return h;
};

const entries = exchanges.map((e) => ({
  startedDateTime: new Date(t0 + e.startedAt).toISOString(),
  time: e.durationMs ?? 0,
  request: {
    method: e.request.method,
    url: e.request.url,
    httpVersion: 'HTTP/1.1',
    headers: Object.entries(requestHeaders(e)).map(([name, value]) => ({ name, value: String(value) })),
    queryString: [],
    cookies: [],
    headersSize: -1,
    bodySize: e.request.body ? Buffer.byteLength(e.request.body) : 0,
    ...(e.request.body ? { postData: { mimeType: 'application/json', text: e.request.body } } : {}),
  },
  response: {
    status: e.response?.status ?? 0,
    statusText: '',
    httpVersion: 'HTTP/1.1',
    headers: Object.entries(e.response?.headers ?? {}).map(([name, value]) => ({ name, value: String(value) })),
    cookies: [],
    content: { size: e.response?.bodyBytes ?? 0, mimeType: e.response?.headers?.['content-type'] ?? '' },
    redirectURL: '',
    headersSize: -1,
    bodySize: e.response?.bodyBytes ?? 0,
  },
  cache: {},
  timings: { send: 0, wait: e.durationMs ?? 0, receive: 0 },
}));
const har = { log: { version: '1.2', creator: { name: 'idemaudit', version: report.tool?.version ?? '0' }, entries } };
writeFileSync(path.join(outDir, 'sample.har'), JSON.stringify(har) + '\n');

const lines = exchanges.map((e) =>
  JSON.stringify({
    time: new Date(t0 + e.startedAt).toISOString(),
    method: e.request.method,
    path: new URL(e.request.url).pathname,
    status: e.response?.status ?? null,
    durationMs: e.durationMs ?? null,
    headers: requestHeaders(e),
    body: e.request.body ?? null,
  }),
);
writeFileSync(path.join(outDir, 'sample.jsonl'), lines.join('\n') + '\n');
console.log(`wrote ${entries.length} requests to ${outDir}/sample.har and ${outDir}/sample.jsonl`);
