// `idemaudit init [file]`: a commented starter scenario that validates as written.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { CliIO } from '../io.js';

export function starterScenario(name: string, target: string): string {
  return `# yaml-language-server: $schema=./node_modules/idemaudit/scenarios/scenario.schema.json
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

export async function initCommand(file: string, flags: { target: string; force?: boolean }, io: CliIO): Promise<number> {
  const name = path.basename(file).replace(/\.ya?ml$/i, '').replace(/[^a-zA-Z0-9_.-]+/g, '-') || 'scenario';
  try {
    await writeFile(file, starterScenario(name, flags.target), { flag: flags.force ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} already exists`, 'choose another name or pass --force');
    throw new UsageError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  io.stdout.write(`wrote ${file}: edit the target, credentials and endpoint, then run: idemaudit validate ${file}\n`);
  return 0;
}
