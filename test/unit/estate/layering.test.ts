// src/estate may import only scenario, report, metrics, errors/core and its own files (never engine,
// checks, audit, cli or the reference server), so it can be used as a library of its own.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve('src/estate');
const ALLOWED = ['scenario', 'report', 'metrics', 'errors', 'core', 'estate'];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('src/estate layering', () => {
  it('imports only allowed layers', () => {
    const offences: string[] = [];
    for (const file of files(ROOT)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const target = path.relative(path.resolve('src'), path.resolve(path.dirname(file), m[1]!));
        const top = target.split(path.sep)[0]!;
        if (!ALLOWED.includes(top)) offences.push(`${path.relative('.', file)} imports ${m[1]}`);
      }
    }
    expect(files(ROOT).length).toBeGreaterThan(10);
    expect(offences).toEqual([]);
  });
});
