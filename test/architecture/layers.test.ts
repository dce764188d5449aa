// The layers read top-down (GUIDE section 4):
//   cli -> audit -> checks -> (faults, engine) -> (report, profiles -> scenario -> metrics) -> core
// with reference/ a library that imports nothing of the auditing code and demo/ the app built on it.
// This test reads every import of src/ with the TypeScript parser (static, dynamic and type-only
// imports alike) and fails on an import a folder may not make, and on any cycle between files.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

/**
 * What each top-level folder of src/ may import besides itself. `.` is src/index.ts (the public
 * entry point, a sibling of cli). A folder missing here is an error: new folders declare their layer.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  '.': ['audit', 'checks', 'faults', 'engine', 'downstream', 'report', 'profiles', 'scenario', 'metrics', 'core', 'demo'],
  cli: ['.', 'audit', 'estate', 'checks', 'faults', 'engine', 'downstream', 'report', 'profiles', 'scenario', 'metrics', 'core', 'reference', 'demo'],
  audit: ['checks', 'faults', 'engine', 'downstream', 'report', 'profiles', 'scenario', 'metrics', 'core'],
  estate: ['report', 'profiles', 'scenario', 'metrics', 'core'],
  checks: ['faults', 'engine', 'downstream', 'report', 'profiles', 'scenario', 'metrics', 'core'],
  // The downstream recorder (a fake service B): started by audit/ and the CLI, read by the checks.
  downstream: ['core'],
  faults: ['scenario', 'metrics', 'core'],
  engine: ['report', 'profiles', 'scenario', 'metrics', 'core'],
  report: ['profiles', 'scenario', 'metrics', 'core'],
  profiles: ['scenario', 'metrics', 'core'],
  scenario: ['metrics', 'core'],
  metrics: ['core'],
  core: [],
  reference: [],
  demo: ['reference', 'core'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative imports of a file, resolved to .ts paths (`./x.js` -> `./x.ts`). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts'));
}

const layerOf = (file: string): string => {
  const rel = path.relative(SRC, file);
  return rel.includes(path.sep) ? rel.split(path.sep)[0]! : '.';
};

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('architecture', () => {
  it('reads the import graph (a sanity check of the parser)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get(path.join(SRC, 'audit/run.ts'))).toContain(path.join(SRC, 'checks/index.ts'));
  });

  it('every folder of src/ has a declared layer', () => {
    const undeclared = [...new Set(files.map(layerOf))].filter((l) => !(l in MAY_IMPORT));
    expect(undeclared, 'add the new folder to MAY_IMPORT with the layers it may import').toEqual([]);
  });

  it('imports point down the layers only', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const from = layerOf(file);
      for (const target of targets) {
        const to = layerOf(target);
        if (to !== from && !(MAY_IMPORT[from] ?? []).includes(to)) {
          upward.push(`${path.relative(SRC, file)} -> ${path.relative(SRC, target)} (${from} may import: ${(MAY_IMPORT[from] ?? []).join(', ') || 'nothing'})`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it('the declared layers have no cycle between folders', () => {
    const seen = new Set<string>();
    const path_: string[] = [];
    const cycles: string[] = [];
    const visit = (layer: string): void => {
      if (path_.includes(layer)) {
        cycles.push([...path_.slice(path_.indexOf(layer)), layer].join(' -> '));
        return;
      }
      if (seen.has(layer)) return;
      seen.add(layer);
      path_.push(layer);
      for (const next of MAY_IMPORT[layer] ?? []) visit(next);
      path_.pop();
    };
    for (const layer of Object.keys(MAY_IMPORT)) visit(layer);
    expect(cycles).toEqual([]);
  });

  it('has no import cycle between files', () => {
    // Tarjan's strongly connected components over the file graph; any component of more than one
    // file (or a file importing itself) is a cycle.
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const strong = (v: string): void => {
      idx.set(v, index);
      low.set(v, index);
      index += 1;
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!idx.has(w)) {
          strong(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v)!, idx.get(w)!));
        }
      }
      if (low.get(v) === idx.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(path.relative(SRC, w));
        } while (w !== v);
        if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
      }
    };
    for (const f of files) if (!idx.has(f)) strong(f);
    expect(cycles).toEqual([]);
  });

  it('the reference library imports nothing outside itself', () => {
    const leaks = [...graph]
      .filter(([f]) => layerOf(f) === 'reference')
      .flatMap(([f, targets]) => targets.filter((t) => layerOf(t) !== 'reference').map((t) => `${path.relative(SRC, f)} -> ${path.relative(SRC, t)}`));
    expect(leaks).toEqual([]);
  });
});
