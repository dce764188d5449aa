// Programmatic API: what the CLI uses, for people who embed the audit in their own tooling.
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
export { getReporter, listReporters, registerReporter, writeReports, type Report } from './report/index.js';
export { EXIT, IdemauditError, ScenarioError, TargetUnreachableError, UsageError } from './core/errors.js';
