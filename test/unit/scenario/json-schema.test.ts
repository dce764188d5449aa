// The committed scenarios/scenario.schema.json must equal what ScenarioSchema generates.
// Regenerate it with: UPDATE_SCHEMA=1 npx vitest run test/unit/scenario/json-schema.test.ts
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema, scenarioJsonSchemaText } from '../../../src/scenario/index.js';

const committed = fileURLToPath(new URL('../../../scenarios/scenario.schema.json', import.meta.url));
const REGENERATE = 'UPDATE_SCHEMA=1 npx vitest run test/unit/scenario/json-schema.test.ts';

describe('scenario JSON Schema', () => {
  it('matches the committed scenarios/scenario.schema.json', async () => {
    const generated = scenarioJsonSchemaText();
    if (process.env.UPDATE_SCHEMA === '1') await writeFile(committed, generated);
    const onDisk = await readFile(committed, 'utf8').catch(() => '');
    expect(onDisk, `scenarios/scenario.schema.json is stale; regenerate it with:\n  ${REGENERATE}\n`).toBe(generated);
  });

  it('describes the input side: keys with defaults are optional', () => {
    const schema = scenarioJsonSchema() as { $id: string; required: string[]; properties: Record<string, unknown> };
    expect(schema.$id).toBe('urn:idemaudit:scenario:1');
    expect(schema.required).toEqual(['version', 'name', 'target', 'endpoints']);
    // One property per registered check, each with that check's own options (or null for its defaults).
    expect(schema.properties.checks).toMatchObject({
      additionalProperties: false,
      properties: { 'cross-tenant': { anyOf: [{ type: 'null' }, { type: 'object' }] } },
    });
  });

  it('accepts an interpolated target', () => {
    const target = (scenarioJsonSchema() as { properties: { target: { anyOf: unknown[] } } }).properties.target;
    expect(target.anyOf).toContainEqual({ type: 'string', pattern: '\\$\\{' });
  });
});
