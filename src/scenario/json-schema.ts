// JSON Schema of the scenario format, generated from ScenarioSchema so editors (yaml-language-server)
// validate and complete exactly what the loader accepts. The committed copy is
// scenarios/scenario.schema.json; test/unit/scenario/json-schema.test.ts keeps it in sync.
import { z } from 'zod';
import { scenarioSchema } from './schema.js';

export const SCENARIO_SCHEMA_ID = 'urn:idemaudit:scenario:1';

type JsonObject = Record<string, unknown>;

export function scenarioJsonSchema(): JsonObject {
  const generated = z.toJSONSchema(scenarioSchema(), {
    // Input side: keys with defaults are optional to write.
    io: 'input',
    // draft-07 is what editors' YAML/JSON language services support best.
    target: 'draft-07',
    override: ({ jsonSchema }) => {
      // zod emits `format: starts_with` next to an equivalent pattern; it is not a standard format.
      if (jsonSchema.format === 'starts_with') delete jsonSchema.format;
    },
  }) as JsonObject;
  const { $schema, ...rest } = generated;
  const properties = rest.properties as Record<string, JsonObject>;
  const target = properties.target;
  if (target && Array.isArray(target.anyOf)) {
    // `${STAGING_URL:-https://...}` is only a URL after interpolation: let editors accept it.
    target.anyOf = [...(target.anyOf as unknown[]), { type: 'string', pattern: '\\$\\{' }];
  }
  return {
    $schema,
    $id: SCENARIO_SCHEMA_ID,
    title: 'idemaudit scenario',
    description:
      'An idemaudit audit scenario: the API under test, its endpoints, tenants and the checks to run. String values may use ${VAR} and ${VAR:-default} environment interpolation.',
    ...rest,
  };
}

/** The committed file's exact text: stable key order, two-space indent, final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
