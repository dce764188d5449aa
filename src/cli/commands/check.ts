// `idemaudit check METHOD URL [curl-like flags]`: the core checks against one endpoint, no YAML.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../errors/index.js';
import { adhocScenario, type AdhocFlags } from '../../scenario/adhoc.js';
import type { CliIO } from '../io.js';
import { auditAndReport, type AuditFlags } from './run.js';

async function readData(data: string | undefined): Promise<string | undefined> {
  if (data === undefined || !data.startsWith('@')) return data;
  try {
    return await readFile(data.slice(1), 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the body file ${data.slice(1)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

export async function checkCommand(method: string, url: string, flags: AdhocFlags & AuditFlags, io: CliIO): Promise<number> {
  const { header, keyHeader, tenantHeader, identity, profile, ...audit } = flags;
  const data = await readData(flags.data);
  delete (audit as { data?: string }).data;
  const scenario = adhocScenario(method, url, {
    header, tenantHeader,
    ...(data !== undefined ? { data } : {}),
    ...(keyHeader ? { keyHeader } : {}),
    ...(identity ? { identity } : {}),
    ...(profile ? { profile } : {}),
  });
  return auditAndReport(scenario, audit, io);
}
