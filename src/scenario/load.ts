// YAML text -> validated Scenario. Every problem is collected, positioned (1-based line:col) and
// thrown at once as a ScenarioError, so a user fixes a file in one pass instead of one error per run.
import { open } from 'node:fs/promises';
import { LineCounter, Parser, parseDocument, type Document } from 'yaml';
import { ScenarioError, type ScenarioProblem } from '../core/errors.js';
import type { Finding, Path, SourceFinding } from './finding.js';
import { interpolateDocument } from './interpolate-document.js';
import { rememberInterpolatedSecrets } from './secrets.js';
import type { Env } from './interpolate.js';
import { locate } from './locate.js';
import { nestingProblem } from './nesting.js';
import { duplicateEndpointNames, templateProblems, unknownProbeTenants } from './rules.js';
import { targetsProblems } from './targets-rules.js';
import { allowedKeys } from './schema-keys.js';
import { scenarioSchema, type Scenario, type SourcePosition } from './schema.js';
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

  const headerSecrets: string[] = [];
  const interpolation = interpolateDocument(doc, env, headerSecrets);
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
    findings.push(...targetsProblems(raw));
  }
  // A scalar whose variable is missing still holds `${VAR}`: further complaints about it are noise.
  const unresolved = new Set(interpolation.map((f) => f.offset));
  for (const f of findings) {
    const offset = offsetOf(doc, f);
    if (!unresolved.has(offset)) problems.push(problem(offset, f.message));
  }
  if (!parsed.success && problems.length === 0) problems.push(problem(0, parsed.error.message));
  if (problems.length > 0) fail(problems);
  const scenario = parsed.data as Scenario;
  return rememberInterpolatedSecrets({ ...scenario, endpointPositions: endpointPositions(doc, lines, scenario) }, headerSecrets);
}

/** Where each endpoint's entry starts (its first key), so reports can point at it. */
function endpointPositions(doc: Document, lines: LineCounter, scenario: Scenario): Record<string, SourcePosition> {
  const out: Record<string, SourcePosition> = {};
  scenario.endpoints.forEach((e, i) => {
    const offset = locate(doc, ['endpoints', i])?.node.range?.[0];
    if (offset === undefined) return;
    const { line, col } = lines.linePos(offset);
    out[e.name] = { line, column: col };
  });
  return out;
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

/**
 * Scenario files are small; anything above 1 MiB is refused before parsing, because composing a
 * document of hundreds of megabytes exhausts the V8 heap (a native abort, not an error message).
 */
export const MAX_SCENARIO_BYTES = 1_048_576;

class TooLarge extends Error {}

/** Reads at most `max` bytes (a FIFO or /dev/stdin has no size to stat, so the read itself is capped). */
async function readCapped(file: string, max: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(65_536);
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > max) throw new TooLarge();
      chunks.push(buf.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Reads and validates a scenario file; an unreadable or oversized file is a ScenarioError at line 0. */
export async function loadScenarioFile(file: string, env: Env = process.env): Promise<Scenario> {
  let text: string;
  try {
    text = await readCapped(file, MAX_SCENARIO_BYTES);
  } catch (err) {
    const message =
      err instanceof TooLarge
        ? `the scenario file is larger than ${MAX_SCENARIO_BYTES} bytes (1 MiB), the most a scenario may have; it was not parsed`
        : `cannot read the scenario file: ${reason(err)}`;
    throw new ScenarioError([{ file, line: 0, col: 0, message }]);
  }
  return parseScenario(text, file, env);
}
