// Every burst copy and load connection is a socket, and a socket is a file descriptor. Asking for
// more than the process may open fails late and confusingly (EMFILE in the middle of a burst), so
// the budget is checked first where the platform tells it (Linux /proc).
import { readdirSync, readFileSync } from 'node:fs';
import { IdemauditError, EXIT } from '../core/errors.js';

/** Descriptors kept free for the runtime, the report files, DNS and friends. */
const RESERVE = 64;

export interface FdBudget {
  limit: number;
  open: number;
}

export function readFdBudget(): FdBudget | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (!m || m[1] === 'unlimited') return undefined;
    return { limit: Number(m[1]), open: readdirSync('/proc/self/fd').length };
  } catch {
    return undefined; // not Linux: EMFILE is still reported clearly by net-error
  }
}

export function assertSocketBudget(sockets: number, budget: FdBudget | undefined = readFdBudget()): void {
  if (!budget) return;
  const free = budget.limit - budget.open - RESERVE;
  if (sockets > free) {
    throw new IdemauditError(
      'E_FD_LIMIT',
      `${sockets} concurrent sockets requested but only ${Math.max(0, free)} file descriptors are free (limit ${budget.limit}, ${budget.open} open)`,
      EXIT.usage,
      `lower the copies or connections, or raise the limit: ulimit -n ${sockets + budget.open + RESERVE}`,
    );
  }
}
