// `idemaudit inventory <spec>`: every mutation of an OpenAPI document, its key declaration, error
// semantics, retention and business risk; exit 1 when a gated mutation lacks a required key.
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, UsageError } from '../../core/errors.js';
import { INVENTORY_FORMATS, renderInventory, type InventoryFormat } from '../../estate/index.js';
import type { CliIO } from '../io.js';
import { list } from '../options.js';
import { loadInventory, riskLevels, type SpecFlags } from './estate-common.js';

export interface InventoryFlags extends SpecFlags {
  format: string;
  output?: string;
  requireKey: string[];
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function addSpecFlags(cmd: Command): Command {
  return cmd
    .option(
      '--key-header <names>',
      'idempotency key header names to recognise, comma-separated (default Idempotency-Key,X-Idempotency-Key,Idempotency-Token)',
      list,
      [],
    )
    .option(
      '--risk-rules <file>',
      'YAML list of { risk, match } rules tried before the built-in ones (match: a regular expression over path, operationId and tags)',
    )
    .option('--risk-override <op=level>', 'force a risk level: createPayment=critical or "POST /payments=critical" (repeatable)', collect, [])
    .option('--allow-host <host>', 'allow fetching the spec (and its $refs) from this non-loopback host (repeatable)', list, []);
}

export function addInventoryFlags(cmd: Command): Command {
  return addSpecFlags(cmd)
    .option('-f, --format <format>', `output format: ${INVENTORY_FORMATS.join(', ')}`, 'terminal')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--require-key <levels>', 'risk levels whose mutations must declare a required key (exit 1 otherwise); "none" disables the gate', list, []);
}

export async function inventoryCommand(source: string, flags: InventoryFlags, io: CliIO): Promise<number> {
  const format = flags.format as InventoryFormat;
  if (!INVENTORY_FORMATS.includes(format)) throw new UsageError(`unknown format ${flags.format}`, `use one of ${INVENTORY_FORMATS.join(', ')}`);
  const gate = flags.requireKey.length === 0 ? ['critical'] : flags.requireKey.includes('none') ? [] : flags.requireKey;
  const { inventory } = await loadInventory(source, flags, { requireKeyFor: riskLevels(gate, '--require-key (or none)') });
  const text = renderInventory(inventory, format);
  if (flags.output) {
    await mkdir(path.dirname(path.resolve(flags.output)), { recursive: true });
    await writeFile(flags.output, text);
    io.stdout.write(`inventory: ${flags.output} (${inventory.summary.mutations} mutations, ${inventory.verdict})\n`);
  } else {
    io.stdout.write(text);
  }
  return inventory.verdict === 'pass' ? EXIT.ok : EXIT.findings;
}
