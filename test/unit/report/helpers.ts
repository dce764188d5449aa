// Fixture reports and golden files for the reporter tests.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { parseReport } from '../../../src/report/load.js';
import type { Report } from '../../../src/report/model.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/reports');
export const GOLDEN = path.join(FIXTURES, 'golden');

export type FixtureName = 'passing' | 'failing' | 'hostile';

export function fixturePath(name: FixtureName): string {
  return path.join(FIXTURES, `${name}.json`);
}

/** A fresh copy each call, so tests may mutate it. */
export function fixture(name: FixtureName): Report {
  const file = fixturePath(name);
  return parseReport(readFileSync(file, 'utf8'), file);
}

/** Compare with golden/<file>; `UPDATE_GOLDEN=1` rewrites it instead. */
export function expectGolden(file: string, actual: string): void {
  const target = path.join(GOLDEN, file);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(target)) {
    if (process.env.UPDATE_GOLDEN !== '1' && process.env.CI) throw new Error(`golden file ${file} is missing: run with UPDATE_GOLDEN=1`);
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(target, actual);
    return;
  }
  expect(actual, `${file} differs from its golden file (UPDATE_GOLDEN=1 to accept)`).toBe(readFileSync(target, 'utf8'));
}
