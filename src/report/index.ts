// Reporter registry and report files.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Registry } from '../core/registry.js';
import type { Report } from './model.js';
import type { RenderOptions, Reporter } from './reporter.js';
import { htmlReporter } from './reporters/html.js';
import { jsonReporter } from './reporters/json.js';
import { junitReporter } from './reporters/junit.js';
import { markdownReporter } from './reporters/markdown.js';
import { sarifReporter } from './reporters/sarif.js';
import { terminalReporter } from './reporters/terminal.js';

export type { Report, ResultRecord, Summary } from './model.js';
export type { Reporter, RenderOptions } from './reporter.js';

const registry = new Registry<Reporter>('report format', (r) => r.id);

/** Adds a reporter (a report format); a taken id is an error. */
export function registerReporter(r: Reporter): void {
  registry.register(r);
}

for (const r of [jsonReporter, terminalReporter, junitReporter, sarifReporter, markdownReporter, htmlReporter]) registerReporter(r);

/** The reporter, or an UnknownIdError (a usage error) naming the closest format. */
export function getReporter(id: string): Reporter {
  return registry.get(id);
}

export function listReporters(): Reporter[] {
  return registry.values();
}

/** "2026-11-22T16:01:02.345Z" -> "20261122T160102Z" (sortable, safe in file names). */
export function fileStamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Write the JSON report plus any other file formats asked for; returns the paths written.
 * JSON is always written: every other format and `idemaudit report` are rendered from it.
 */
export async function writeReports(report: Report, dir: string, formats: string[], opts: RenderOptions): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, `${report.scenario.name}-${fileStamp(report.startedAt)}`);
  const ids = ['json', ...formats.filter((f) => f !== 'json')];
  const written: string[] = [];
  for (const id of ids) {
    const reporter = getReporter(id);
    if (!reporter.extension) continue;
    const file = `${base}.${reporter.extension}`;
    await writeFile(file, reporter.render(report, { ...opts, color: false }));
    written.push(file);
  }
  return written;
}
