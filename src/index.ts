// Programmatic API: what the CLI uses, for people who embed the audit in their own tooling.
// Importing this entry loads no CLI package (argument parser, tables, charts): see the README's
// "Programmatic API" section and test/unit/package/entry-dependencies.test.ts.

// Running an audit.
import { runAudit as runAuditWith, type RunOptions } from './audit/run.js';
import type { Report } from './report/model.js';
import type { Scenario } from './scenario/schema.js';

export type { RunOptions };

/**
 * Audits a scenario and returns the versioned report. `target: self` starts the demo payments server
 * (loaded only then) unless `opts.startSelf` starts another.
 */
export function runAudit(scenario: Scenario, opts: RunOptions = {}): Promise<Report> {
  return runAuditWith(scenario, { startSelf: async (settings) => (await import('./demo/index.js')).startSelfTarget(settings), ...opts });
}
export type { RunEvent, RunListener } from './audit/events.js';
export { loadScenarioFile, parseScenario } from './scenario/index.js';
export type { Scenario, Endpoint } from './scenario/schema.js';
export { getProfile, listProfiles, type Profile } from './profiles/index.js';
export { getCheck, listChecks, registerCheck, type Check } from './checks/index.js';
export type { Level, Verdict } from './core/verdict.js';

// The report model (versioned JSON, the single input of every reporter).
export {
  SCHEMA_VERSION,
  type Report,
  type ResultRecord,
  type Summary,
  type RunVerdict,
  type StopCause,
  type Outcome,
  type EndpointInfo,
  type LoadRunReport,
  type ReportHistory,
} from './report/model.js';
export { parseReport, readReportFile } from './report/load.js';
export { mergeReports } from './report/merge.js';
export { compareReports, hasRegression, DEFAULT_COMPARE, type Comparison, type Change, type CompareOptions } from './report/compare.js';

// Reporters: look one up by id, or use the built-ins directly; register your own like the built-ins.
export { getReporter, listReporters, registerReporter, writeReports, type Reporter, type RenderOptions } from './report/index.js';
export { jsonReporter } from './report/reporters/json.js';
export { terminalReporter } from './report/reporters/terminal.js';
export { junitReporter } from './report/reporters/junit.js';
export { sarifReporter } from './report/reporters/sarif.js';
export { markdownReporter } from './report/reporters/markdown.js';
export { htmlReporter } from './report/reporters/html.js';

export { EXIT, IdemauditError, ScenarioError, TargetUnreachableError, UsageError } from './core/errors.js';
