// cli-table3, loaded on first use: the terminal tables are the CLI's business, so importing the
// programmatic API (`idemaudit`) must not load the table package until something renders one.
import { createRequire } from 'node:module';
import type CliTable3 from 'cli-table3';

export type Table = CliTable3.Table;
export type TableOptions = CliTable3.TableConstructorOptions;

let constructor: typeof CliTable3 | undefined;

export function createTable(options: TableOptions): Table {
  constructor ??= createRequire(import.meta.url)('cli-table3') as typeof CliTable3;
  return new constructor(options);
}
