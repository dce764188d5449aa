// What `inventory` and `init --from-openapi` share: loading a spec under the loopback-only rule,
// risk rules and overrides from flags.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { hostAllowed } from '../../engine/guard.js';
import { UsageError } from '../../core/errors.js';
import { inventorySpec, parseRiskOverride, parseRiskRules, RISK_LEVELS, type EstateOptions, type RiskLevel } from '../../estate/index.js';

export interface SpecFlags {
  keyHeader: string[];
  riskRules?: string;
  riskOverride: string[];
  allowHost: string[];
}

export function riskLevels(values: string[], flag: string): RiskLevel[] {
  for (const v of values) {
    if (!RISK_LEVELS.includes(v as RiskLevel)) throw new UsageError(`${flag} ${v}: expected one of ${RISK_LEVELS.join(', ')}`);
  }
  return values as RiskLevel[];
}

async function estateOptions(flags: SpecFlags): Promise<EstateOptions> {
  const overrides = flags.riskOverride.map((o) => {
    const parsed = parseRiskOverride(o);
    if (typeof parsed === 'string') throw new UsageError(parsed);
    return parsed;
  });
  let rules: EstateOptions['rules'] = [];
  if (flags.riskRules) {
    let data: unknown;
    try {
      data = parseYaml(await readFile(flags.riskRules, 'utf8'));
    } catch (err) {
      throw new UsageError(`cannot read risk rules ${flags.riskRules}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const parsed = parseRiskRules(data);
    if (parsed.problems.length)
      throw new UsageError(`${flags.riskRules}: ${parsed.problems.join('; ')}`, 'a list of { risk: critical|high|medium|low, match: <regular expression> }');
    rules = parsed.rules;
  }
  return { ...(flags.keyHeader.length ? { keyHeaders: flags.keyHeader } : {}), rules, overrides };
}

export async function loadInventory(source: string, flags: SpecFlags, extra: Pick<EstateOptions, 'requireKeyFor'> = {}) {
  const opts = await estateOptions(flags);
  return inventorySpec(source, { allowUrl: (url) => hostAllowed(url, flags.allowHost) }, { ...opts, ...extra });
}
