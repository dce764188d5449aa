// What each entry point of the compiled package loads: the reference library must not drag in the
// auditing tool, and neither library entry may load the CLI's packages (argument parser, tables,
// charts, colour). Checked twice: statically over dist's import graph, and by importing the entry
// in a fresh Node process and listing the packages it actually loaded.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';
import { importGraph } from '../../helpers/import-graph.js';

const CLI_ONLY = ['commander', 'cli-table3', 'uplot', 'chalk'];
const dist = (file: string): string => path.join(ROOT, 'dist', file);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** Packages under node_modules that a fresh process has loaded after importing `entry` (CJS and ESM). */
function loadedPackages(entry: string): string[] {
  const script = `
    import { createRequire } from 'node:module';
    const loaded = new Set();
    await import(${JSON.stringify(entry)});
    const cache = createRequire(import.meta.url)('node:module')._cache;
    for (const file of Object.keys(cache)) {
      const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file);
      if (m) loaded.add(m[1].replace('\\\\', '/'));
    }
    process.stdout.write(JSON.stringify([...loaded].sort()));
    process.exit(0);`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' })) as string[];
}

describe('entry point dependencies', () => {
  it('idemaudit/reference imports only the reference layer and its store (Redis, PostgreSQL), log and metrics packages', () => {
    const { files, packages } = importGraph(dist('reference/index.js'));
    expect(packages).toEqual(['ioredis', 'pg', 'pino', 'prom-client']);
    // Nothing of the auditing code (shared core modules such as errors/ are fine).
    const auditing = ['cli', 'audit', 'checks', 'engine', 'faults', 'report', 'scenario', 'metrics', 'profiles', 'demo'];
    const upward = files.filter((f) => auditing.some((dir) => f.startsWith(dist(dir) + path.sep)));
    expect(upward).toEqual([]);
    expect(files.length).toBeGreaterThan(15); // sanity: the scan follows relative imports
  });

  it('idemaudit (programmatic API) statically imports no CLI package', () => {
    const { packages } = importGraph(dist('index.js'));
    for (const name of CLI_ONLY) expect(packages).not.toContain(name);
    expect(packages).toContain('undici'); // sanity: the scan does see the engine's packages
  });

  it('the CLI statically reaches every runtime dependency except the lazily read ones', () => {
    const { packages } = importGraph(dist('cli/main.js'));
    // cli-table3 is required on first render, uplot's files are read by the HTML reporter, and the
    // estate commands import their parsers and sampler on use.
    const lazy = ['cli-table3', 'uplot', '@apidevtools/swagger-parser', '@streamparser/json', 'openapi-sampler'];
    expect([...new Set([...packages, ...lazy])].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });

  it('importing either library entry in a fresh process loads no CLI package', () => {
    for (const entry of ['reference/index.js', 'index.js']) {
      const loaded = loadedPackages(dist(entry));
      for (const name of CLI_ONLY) expect(loaded, entry).not.toContain(name);
    }
    // The probe sees CommonJS packages: ioredis is CJS and is loaded by the reference entry.
    expect(loadedPackages(dist('reference/index.js'))).toContain('ioredis');
  });

  it('dependencies use caret ranges, so consumers can deduplicate and take patches', () => {
    for (const [name, range] of Object.entries(pkg.dependencies)) expect(range, name).toMatch(/^\^\d+\.\d+\.\d+$/);
  });
});
