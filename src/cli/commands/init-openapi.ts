// `idemaudit init --from-openapi <spec>`: the starter scenario generated from a spec's mutations.
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { generateScenario, selectOperations, specBaseUrl } from '../../estate/index.js';
import { loadInventory, riskLevels, type SpecFlags } from './estate-common.js';

export interface FromOpenApiFlags extends SpecFlags {
  fromOpenapi: string;
  tag: string[];
  path: string[];
  risk: string[];
  target?: string;
}

/** The scenario text and how many endpoints it has; throws UsageError when the filters select nothing. */
export async function scenarioFromOpenApi(file: string, flags: FromOpenApiFlags): Promise<{ text: string; endpoints: number }> {
  const risks = riskLevels(flags.risk, '--risk');
  const { spec, selected } = await loadInventory(flags.fromOpenapi, flags);
  const chosen = selectOperations(selected, { tags: flags.tag, paths: flags.path, risks });
  if (selected.length === 0) throw new UsageError(`${flags.fromOpenapi} has no mutation (POST, PUT, PATCH, DELETE) operations`);
  if (chosen.length === 0)
    throw new UsageError(
      `no operation of ${flags.fromOpenapi} matches --tag/--path/--risk (it has ${selected.length} mutations)`,
      'run idemaudit inventory on the spec to see them',
    );
  const name =
    path
      .basename(file)
      .replace(/\.ya?ml$/i, '')
      .replace(/[^a-zA-Z0-9_.-]+/g, '-') || 'scenario';
  const target = flags.target ?? specBaseUrl(spec) ?? 'http://127.0.0.1:8080';
  return { text: await generateScenario(chosen, { name, target, specSource: flags.fromOpenapi }), endpoints: chosen.length };
}
