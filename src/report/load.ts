// Read a saved JSON run back into a Report, refusing anything that is not one this build renders.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { SCHEMA_VERSION, type Report } from './model.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Parse the text of a saved report; `source` names it in messages. Throws UsageError. */
export function parseReport(text: string, source: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `${source} is not an idemaudit report: not JSON (${err instanceof Error ? err.message : String(err)})`,
      'pass the .json file that `idemaudit run` wrote into the report directory',
    );
  }
  if (!isObject(data) || !isObject(data.tool) || data.tool.name !== 'idemaudit') {
    throw new UsageError(
      `${source} is not an idemaudit report (no "tool": {"name": "idemaudit"})`,
      'pass the .json file that `idemaudit run` wrote into the report directory',
    );
  }
  if (data.schemaVersion !== SCHEMA_VERSION) {
    const by = isObject(data.tool) && typeof data.tool.version === 'string' ? ` (written by idemaudit ${data.tool.version})` : '';
    throw new UsageError(
      `${source} has report schemaVersion ${JSON.stringify(data.schemaVersion ?? null)}${by}; this idemaudit reads schemaVersion ${SCHEMA_VERSION}`,
      'render it with the idemaudit version that wrote it, or run the audit again',
    );
  }
  const missing = ['scenario', 'summary', 'latency'].filter((k) => !isObject(data[k])).concat(['results', 'exchanges'].filter((k) => !Array.isArray(data[k])));
  if (missing.length > 0) throw new UsageError(`${source} is a malformed idemaudit report: missing or invalid ${missing.join(', ')}`);
  // Reports written before endpoints were recorded still render (governance then says "not declared").
  if (!Array.isArray(data.endpoints)) data.endpoints = [];
  if (typeof data.exchangesDropped !== 'number') data.exchangesDropped = 0;
  return data as unknown as Report;
}

export async function readReportFile(file: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`);
  }
  return parseReport(text, file);
}
