// `idemaudit list <checks|profiles|flaws|reporters>`: one line per item.
import { listChecks } from '../../checks/index.js';
import { UsageError } from '../../core/errors.js';
import { listProfiles } from '../../profiles/index.js';
import { listFaults } from '../../faults/index.js';
import { listFlaws } from '../../demo/index.js';
import { listReporters } from '../../report/index.js';
import type { CliIO } from '../io.js';

export const LISTABLE = ['checks', 'profiles', 'flaws', 'faults', 'reporters'] as const;

function rows(what: string): Array<[string, string]> {
  switch (what) {
    case 'checks':
      return listChecks().map((c) => [c.id, c.summary]);
    case 'profiles':
      return listProfiles().map((p) => [
        p.id,
        `${p.title} (in flight ${p.expect.inFlight.join('/')}, mismatch ${p.expect.mismatch.join('/')}, missing key ${p.keyRequired ? p.expect.missingKey.join('/') : 'allowed'}, keys ${p.keyFormat})`,
      ]);
    case 'flaws':
      return listFlaws().map((f) => [f.name, f.description]);
    case 'faults':
      return listFaults().map((f) => [f.name, f.description]);
    case 'reporters':
      return listReporters().map((r) => [r.id, r.description]);
    default:
      throw new UsageError(`cannot list '${what}'`, `choose one of: ${LISTABLE.join(', ')}`);
  }
}

export function listCommand(what: string, io: CliIO): number {
  const items = rows(what);
  const width = Math.max(...items.map(([id]) => id.length));
  for (const [id, text] of items) io.stdout.write(`${id.padEnd(width)}  ${text}\n`);
  return 0;
}
