// YAML text -> validated Scenario. Every problem is collected, positioned (1-based line:col) and
// thrown at once as a ScenarioError, so a user fixes a file in one pass instead of one error per run.
import { readFile } from 'node:fs/promises';
import { LineCounter, Parser, parseDocument, type Document } from 'yaml';
import { ScenarioError, type ScenarioProblem } from '../core/errors.js';
import type { Finding, Path, SourceFinding } from './finding.js';
import { interpolateDocument } from './interpolate-document.js';
import type { Env } from './interpolate.js';
import { locate } from './locate.js';
import { nestingProblem } from './nesting.js';
import { duplicateEndpointNames, templateProblems, unknownProbeTenants } from './rules.js';
import { allowedKeys } from './schema-keys.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { cyclicAliases, duplicateKeys, syntaxErrors } from './syntax.js';
import { findingsFromIssue } from './zod-issues.js';

const EMPTY = 'the file is empty: a scenario needs at least version, name, target and endpoints';

function offsetOf(doc: Document, finding: Pick<Finding, 'path' | 'at'>): number {
  const loc = locate(doc, finding.path);
  const node = finding.at === 'key' && loc?.key ? loc.key : loc?.node;
  return node?.range?.[0] ?? 0;
}

function byPosition(a: ScenarioProblem, b: ScenarioProblem): number {
  return a.line - b.line || a.col - b.col || a.message.localeCompare(b.message);
}

function unique(problems: ScenarioProblem[]): ScenarioProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = `${p.line}:${p.col}:${p.message}`;
    return seen.has(id) ? false : (seen.add(id), true);
  });
}

function toData(doc: Document): { data: unknown } | { error: string } {
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (err) {
    // Alias bombs and similar: the tree is unusable beyond this point.
    return { error: `cannot build the scenario data: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Validates scenario text; `file` only labels problems. Pure given `env` (default: process.env). */
export function parseScenario(text: string, file: string, env: Env = process.env): Scenario {
  const lines = new LineCounter();
  const problem = (offset: number, message: string): ScenarioProblem => ({ file, ...lines.linePos(offset), message });
  const fromSource = (found: SourceFinding[]) => found.map((f) => problem(f.offset, f.message));
  const fail = (problems: ScenarioProblem[]): never => {
    throw new ScenarioError(unique(problems).sort(byPosition));
  };
  // Depth is checked on the CST first: composing a document nested too deeply can abort the process.
  // That pass also fills `lines`, so the document itself is parsed without a line counter.
  const tooDeep = nestingProblem(new Parser(lines.addNewLine).parse(text));
  if (tooDeep) fail(fromSource([tooDeep]));
  // logLevel 'error': the library must not print warnings to stderr (an unquoted `{{seq}}` is a map
  // with a map as its key, which toJS would announce with a process warning); the schema reports it.
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, logLevel: 'error' });

  const syntax = syntaxErrors(doc);
  // A tree rebuilt around syntax errors is a guess: validating it would mostly report noise.
  if (syntax.length > 0) fail(fromSource([...syntax, ...duplicateKeys(doc, lines)]));
  if (doc.contents === null) fail([{ file, line: 1, col: 1, message: EMPTY }]);

  const interpolation = interpolateDocument(doc, env);
  const problems = fromSource([...duplicateKeys(doc, lines), ...interpolation]);
  const cycles = cyclicAliases(doc);
  if (cycles.length > 0) fail([...problems, ...fromSource(cycles)]);
  const built = toData(doc);
  if ('error' in built) fail([...problems, problem(0, built.error)]);
  const data = 'data' in built ? built.data : undefined;

  const findings: Finding[] = [];
  const schema = scenarioSchema();
  const parsed = schema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const keysAt = (path: Path) => allowedKeys(schema, path);
    findings.push(...parsed.error.issues.flatMap((issue) => findingsFromIssue(issue, data, keysAt)));
  }
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const raw = data as Record<string, unknown>;
    const lineOf = (path: Path) => lines.linePos(offsetOf(doc, { path })).line;
    findings.push(...duplicateEndpointNames(raw, lineOf), ...unknownProbeTenants(raw), ...templateProblems(raw));
  }
  // A scalar whose variable is missing still holds `${VAR}`: further complaints about it are noise.
  const unresolved = new Set(interpolation.map((f) => f.offset));
  for (const f of findings) {
    const offset = offsetOf(doc, f);
    if (!unresolved.has(offset)) problems.push(problem(offset, f.message));
  }
  if (!parsed.success && problems.length === 0) problems.push(problem(0, parsed.error.message));
  if (problems.length > 0) fail(problems);
  return parsed.data as Scenario;
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

/** Reads and validates a scenario file; an unreadable file is a ScenarioError at line 0. */
export async function loadScenarioFile(file: string, env: Env = process.env): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ScenarioError([{ file, line: 0, col: 0, message: `cannot read the scenario file: ${reason(err)}` }]);
  }
  return parseScenario(text, file, env);
}
