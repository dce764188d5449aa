// `idemaudit check METHOD URL [curl-like flags]`: the core checks against one endpoint, no YAML.
import { adhocScenario, type AdhocFlags } from '../../scenario/adhoc.js';
import type { CliIO } from '../io.js';
import { readBodyFlag } from '../options.js';
import { auditAndReport, type AuditFlags } from './run.js';

export async function checkCommand(method: string, url: string, flags: AdhocFlags & AuditFlags, io: CliIO): Promise<number> {
  const { header, keyHeader, tenantHeader, identity, profile, redact, ...audit } = flags;
  const data = await readBodyFlag(flags.data);
  delete (audit as { data?: string }).data;
  const scenario = adhocScenario(method, url, {
    header,
    tenantHeader,
    redact,
    ...(data !== undefined ? { data } : {}),
    ...(keyHeader ? { keyHeader } : {}),
    ...(identity ? { identity } : {}),
    ...(profile ? { profile } : {}),
  });
  return auditAndReport(scenario, audit, io);
}
