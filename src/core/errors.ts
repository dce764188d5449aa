// One catalogue of user-facing errors: each has a stable code, a message meant for people, an
// optional hint and the exit code the CLI uses (GUIDE section 3). Findings are data, not errors.

export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
  unreachable: 3,
  /** EX_SOFTWARE (sysexits.h): a bug in idemaudit, never the target's or the user's fault. */
  internal: 70,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class IdemauditError extends Error {
  override readonly name: string = 'IdemauditError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad command-line usage (unknown flag value, missing file). */
export class UsageError extends IdemauditError {
  override readonly name: string = 'UsageError';
  constructor(message: string, hint?: string, code = 'E_USAGE') {
    super(code, message, EXIT.usage, hint);
  }
}

export interface ScenarioProblem {
  file: string;
  /** 1-based; 0 when the problem has no position (e.g. an unreadable file). */
  line: number;
  col: number;
  message: string;
}

export function formatProblem(p: ScenarioProblem): string {
  return p.line > 0 ? `${p.file}:${p.line}:${p.col}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** A scenario file that cannot be used; carries every problem found, each with its position. */
export class ScenarioError extends IdemauditError {
  override readonly name = 'ScenarioError';
  constructor(readonly problems: ScenarioProblem[]) {
    super('E_SCENARIO', problems.map(formatProblem).join('\n'), EXIT.usage);
  }
}

/** The target could not be reached at all (refused, DNS, TLS, timeout). */
export class TargetUnreachableError extends IdemauditError {
  override readonly name = 'TargetUnreachableError';
  constructor(target: string, reason: string, options?: { cause?: unknown }) {
    super('E_UNREACHABLE', `target ${target} is unreachable: ${reason}`, EXIT.unreachable, 'start the service, or point --target at a running one', options);
  }
}

/** An extension registered an id that is taken (a check, reporter, fault, flaw or profile). */
export class DuplicateIdError extends IdemauditError {
  override readonly name = 'DuplicateIdError';
  constructor(kind: string, id: string) {
    super('E_DUPLICATE_ID', `${kind} '${id}' is already registered`, EXIT.usage, `give the ${kind} another id`);
  }
}

/** An id that no registry entry has (a check, reporter, fault, flaw or profile). */
export class UnknownIdError extends UsageError {
  override readonly name = 'UnknownIdError';
  constructor(
    readonly kind: string,
    readonly id: string,
    known: string[],
    suggestion?: string,
  ) {
    super(`unknown ${kind} '${id}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`, `known ${kind}s: ${known.join(', ')}`, 'E_UNKNOWN_ID');
  }
}

/** A broken invariant inside idemaudit: a bug to report, exit 70. Unexpected errors render the same way. */
export class InternalError extends IdemauditError {
  override readonly name = 'InternalError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_INTERNAL', message, EXIT.internal, undefined, options);
  }
}
