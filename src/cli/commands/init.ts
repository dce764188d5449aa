// `idemaudit init [file]`: a commented starter scenario that validates as written.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../core/errors.js';
import type { CliIO } from '../io.js';
import { scenarioFromOpenApi, type FromOpenApiFlags } from './init-openapi.js';

/** This package's JSON Schema (two levels above src/cli/commands and dist/cli/commands, then scenarios/). */
const OWN_SCHEMA = fileURLToPath(new URL('../../../scenarios/scenario.schema.json', import.meta.url));

/**
 * The schema path as the editor resolves it: relative to the scenario file's own folder. The
 * project's installed copy (node_modules/idemaudit, from the working directory) when there is one,
 * else the copy of the idemaudit that is running.
 */
export function schemaPathFor(file: string, cwd = process.cwd()): string {
  const installed = path.join(cwd, 'node_modules/idemaudit/scenarios/scenario.schema.json');
  const schema = existsSync(installed) ? installed : OWN_SCHEMA;
  const rel = path
    .relative(path.dirname(path.resolve(cwd, file)), schema)
    .split(path.sep)
    .join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export function starterScenario(name: string, target: string, schema = './node_modules/idemaudit/scenarios/scenario.schema.json'): string {
  return `# yaml-language-server: $schema=${schema}
# Starter scenario: adjust the target, credentials and endpoint, then run
#   idemaudit validate ${name}.yaml && idemaudit run ${name}.yaml
version: 1
name: ${name}
target: \${TARGET_URL:-${target}}
profile: ietf-07              # or stripe-v1 (see: idemaudit list profiles)
defaults:
  headers:
    content-type: application/json
  keyHeader: Idempotency-Key
  timeoutMs: 5000
# Two credentials let cross-tenant check that keys are scoped per client. Every header here is
# redacted in reports.
tenants:
  first:
    headers:
      Authorization: "Bearer \${TOKEN_A:-change-me-a}"
  second:
    headers:
      Authorization: "Bearer \${TOKEN_B:-change-me-b}"
# Non-loopback hosts must be named before idemaudit sends anything to them.
allowHosts: []
endpoints:
  - name: create-order
    method: POST
    path: /orders
    body:
      sku: demo-1
      quantity: 1
      reference: "order-{{seq}}"
    identity: /id             # JSON pointer to the created resource id in the response
    keyRequired: expected     # mandatory | expected | optional
    risk: high                # critical | high | medium | low
checks:
  concurrent-duplicates: { copies: 8, rounds: 3 }
  sequential-replay: {}
  payload-mismatch: {}
  missing-key: {}
  cross-tenant: {}
  key-validation: {}
  fingerprint: {}
`;
}

export type InitFlags = { target?: string; force?: boolean } & Partial<FromOpenApiFlags>;

export async function initCommand(file: string, flags: InitFlags, io: CliIO): Promise<number> {
  const name =
    path
      .basename(file)
      .replace(/\.ya?ml$/i, '')
      .replace(/[^a-zA-Z0-9_.-]+/g, '-') || 'scenario';
  // --from-openapi: one endpoint per selected mutation of the spec instead of the generic starter.
  const generated = flags.fromOpenapi ? await scenarioFromOpenApi(file, flags as FromOpenApiFlags) : undefined;
  try {
    // `init scenarios/orders.yaml` in a project without scenarios/ yet: create the folder.
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(file, generated?.text ?? starterScenario(name, flags.target ?? 'http://127.0.0.1:8080', schemaPathFor(file)), {
      flag: flags.force ? 'w' : 'wx',
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} already exists`, 'choose another name or pass --force');
    throw new UsageError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (generated)
    io.stdout.write(
      `wrote ${file}: ${generated.endpoints} endpoint(s) from ${flags.fromOpenapi}; fill in the lines marked FILL IN, then run: idemaudit validate ${file}\n`,
    );
  else io.stdout.write(`wrote ${file}: edit the target, credentials and endpoint, then run: idemaudit validate ${file}\n`);
  return 0;
}
