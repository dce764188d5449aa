// Programmatic API: what the CLI uses, for people who embed the audit in their own tooling.
export { runAudit, type RunOptions } from './audit/run.js';
export type { RunEvent, RunListener } from './audit/events.js';
export { loadScenarioFile, parseScenario } from './scenario/index.js';
export type { Scenario, Endpoint } from './scenario/schema.js';
export { getProfile, listProfiles, type Profile } from './profiles/index.js';
export { getCheck, listChecks, registerCheck, type Check } from './checks/index.js';
export { getReporter, listReporters, registerReporter, writeReports, type Report } from './report/index.js';
export { EXIT, IdemauditError, ScenarioError, TargetUnreachableError, UsageError } from './core/errors.js';
