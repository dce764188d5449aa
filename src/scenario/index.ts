// Public API of the scenario loader.
export { loadScenarioFile, parseScenario } from './load.js';
export { interpolate, type Env, type InterpolationResult } from './interpolate.js';
export { renderTemplate, hasTemplates, placeholdersIn, TEMPLATE_NAMES, type TemplateName, type TemplateVars } from './template.js';
export { scenarioJsonSchema, scenarioJsonSchemaText, SCENARIO_SCHEMA_ID } from './json-schema.js';
export {
  ScenarioSchema,
  scenarioSchema,
  EndpointSchema,
  ProbeSchema,
  TenantSchema,
  type Scenario,
  type ScenarioInput,
  type Endpoint,
  type Probe,
  type Tenant,
} from './schema.js';
