// The package as a user gets it: `npm pack` of the built dist/, installed into an empty
// folder with no repository beside it, then the CLI (help, serve, run, the Redis store's Lua files)
// and both library entry points used from that install. One pack, one install.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServe } from '../helpers/cli.js';
import { npmInstall, pack } from '../helpers/pack.js';
import { deleteKeysByPrefix, SHARED_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const run = promisify(execFile);
const consumer = realpathSync(mkdtempSync(path.join(tmpdir(), 'idemaudit-consumer-')));
const bin = path.join(consumer, 'node_modules', '.bin', 'idemaudit');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(bin, args, { cwd: consumer, env: { ...process.env, CI: 'true', NO_COLOR: '1' }, timeout: 120_000 });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('npm pack, then install into an empty folder', { timeout: 120_000 }, () => {
  let files: string[];

  beforeAll(() => {
    expect(consumer.startsWith(ROOT)).toBe(false);
    const packed = pack(consumer);
    files = packed.files;
    writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    npmInstall([packed.tarball], consumer);
  }, 300_000);

  it('ships the compiled output, the Lua scripts and the scenarios, and no sources or tests', () => {
    for (const f of [
      'package.json',
      'README.md',
      'bin/idemaudit.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'dist/reference/index.js',
      'dist/reference/index.d.ts',
      'scenarios/reference.yaml',
      'scenarios/scenario.schema.json',
    ]) {
      expect(files, f).toContain(f);
    }
    const lua = readdirSync(path.join(ROOT, 'src/reference/store/redis/lua')).map((f) => `src/reference/store/redis/lua/${f}`);
    expect(lua.length).toBeGreaterThan(0);
    for (const f of lua) expect(files).toContain(f);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('node_modules/') || f.endsWith('.tsbuildinfo'))).toEqual([]);
    // Nothing stale: every compiled module still has its source (a moved file must not ship twice).
    const stale = files
      .filter((f) => f.startsWith('dist/') && f.endsWith('.js'))
      .filter((f) => !existsSync(path.join(ROOT, 'src', f.slice('dist/'.length).replace(/\.js$/, '.ts'))));
    expect(stale).toEqual([]);
  });

  it('resolves idemaudit from the install, not from the repository', () => {
    const installed = realpathSync(path.join(consumer, 'node_modules', 'idemaudit'));
    expect(installed.startsWith(consumer)).toBe(true);
    // Its runtime dependencies were installed beside it, and no dev dependency came along.
    const modules = readdirSync(path.join(consumer, 'node_modules'));
    expect(modules).toEqual(expect.arrayContaining(['commander', 'undici', 'ioredis']));
    for (const dev of ['typescript', 'vitest', 'chalk', 'express']) expect(modules).not.toContain(dev);
  });

  it('idemaudit --help and --version work from the install', async () => {
    const help = await cli(['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: idemaudit');
    expect(help.stdout).toContain('IDEMAUDIT_TARGET');
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect((await cli(['--version'])).stdout.trim()).toBe(pkg.version);
  });

  it('idemaudit run audits `idemaudit serve`, both from the install', async () => {
    const server = await startServe(['--log-level', 'silent'], { executable: bin, cwd: consumer });
    try {
      const r = await cli([
        'run',
        'node_modules/idemaudit/scenarios/reference.yaml',
        '--target',
        server.url,
        '--only',
        'concurrent-duplicates,sequential-replay,payload-mismatch',
        '--report-dir',
        'reports',
        '--format',
        'html',
      ]);
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/PASS: \d+ passed, 0 failed/);
      const written = readdirSync(path.join(consumer, 'reports'));
      expect(written.some((f) => f.endsWith('.json'))).toBe(true);
      // The HTML report inlines uPlot, read from the installed package at render time.
      const html = readFileSync(
        path.join(
          consumer,
          'reports',
          written.find((f) => f.endsWith('.html'))!,
        ),
        'utf8',
      );
      expect(html).toContain('uPlot');
    } finally {
      await server.stop();
    }
  });

  it('serve --store redis finds its Lua scripts in the installed package', async () => {
    const prefix = uniquePrefix('pack');
    const redis = new Redis(SHARED_REDIS_URL);
    const server = await startServe(['--log-level', 'silent', '--store', 'redis', '--redis-url', SHARED_REDIS_URL, '--redis-prefix', prefix], {
      executable: bin,
      cwd: consumer,
    });
    try {
      const r = await cli([
        'run',
        'node_modules/idemaudit/scenarios/reference.yaml',
        '--target',
        server.url,
        '--only',
        'concurrent-duplicates',
        '--report-dir',
        'reports-redis',
      ]);
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/PASS: \d+ passed/);
    } finally {
      await server.stop();
      expect(await deleteKeysByPrefix(redis, prefix)).toBeGreaterThan(0); // the store really wrote to Redis
      redis.disconnect();
    }
  });

  it('both library entry points import from the install', async () => {
    writeFileSync(
      path.join(consumer, 'use-library.mjs'),
      `
      import * as api from 'idemaudit';
      import * as reference from 'idemaudit/reference';
      const names = (m) => Object.keys(m).sort();
      // The reference library on its own: a layer over a memory store.
      const store = new reference.MemoryStore();
      const layer = reference.createIdempotencyLayer({ store, scope: 'global' });
      // The audit API: target self starts the demo server, loaded from the install on demand.
      const scenario = api.parseScenario(['version: 1', 'name: lib', 'target: self', 'endpoints:', '  - name: pay', '    path: /payments',
        '    body: { amount: 1, currency: EUR }', '    identity: /id'].join('\\n'), 'inline.yaml');
      const report = await api.runAudit(scenario, { only: ['sequential-replay'] });
      await store.close();
      console.log(JSON.stringify({ api: names(api), reference: names(reference), verdict: report.summary.verdict, schema: report.schemaVersion, layer: typeof layer.handle,
        junit: api.getReporter('junit').render(report, { color: false }).startsWith('<?xml') }));
    `,
    );
    const r = await run(process.execPath, ['use-library.mjs'], { cwd: consumer, timeout: 60_000 });
    const out = JSON.parse(r.stdout) as { api: string[]; reference: string[]; verdict: string; schema: number; junit: boolean; layer: string };
    expect(out.api).toEqual(
      expect.arrayContaining(['runAudit', 'parseScenario', 'getReporter', 'writeReports', 'compareReports', 'sarifReporter', 'SCHEMA_VERSION']),
    );
    expect(out.reference).toEqual(expect.arrayContaining(['MemoryStore', 'createRedisStore', 'createIdempotencyLayer', 'wrapNodeHandler']));
    expect(out.reference).not.toContain('startReferenceServer'); // the demo app is not part of the library
    expect(out).toMatchObject({ verdict: 'pass', schema: 1, junit: true, layer: 'function' });
  });

  afterAll(() => {
    // The temp folder is left for inspection when something failed; it holds no secrets.
  });
});
