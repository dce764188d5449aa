// Nesting depth, measured on the YAML parser's concrete syntax tree before the document is composed.
// The composer recurses once per level and catches the RangeError of an exhausted stack, but V8 aborts
// the whole process instead of throwing when the overflow strikes while it compiles a regular
// expression (found by test/fuzz). The CST parser keeps its own stack, so it is safe at any depth,
// and a scenario never needs more than a few levels: anything deeper is refused up front.
import { CST } from 'yaml';
import type { SourceFinding } from './finding.js';

export const MAX_NESTING = 64;

/** The first collection nested deeper than MAX_NESTING levels in `tokens`, as a problem; iterative. */
export function nestingProblem(tokens: Iterable<CST.Token>): SourceFinding | undefined {
  const pending: Array<[CST.Token, number]> = [];
  for (const token of tokens) pending.push([token, 0]);
  pending.reverse();
  while (pending.length > 0) {
    const [token, depth] = pending.pop()!;
    if (token.type === 'document') {
      if (token.value) pending.push([token.value, depth]);
      continue;
    }
    if (!CST.isCollection(token)) continue;
    if (depth + 1 > MAX_NESTING) {
      return { offset: token.offset, message: `the YAML is nested more than ${MAX_NESTING} levels deep here; a scenario never needs that much` };
    }
    for (let i = token.items.length - 1; i >= 0; i--) {
      const item = token.items[i]!;
      if (item.value) pending.push([item.value, depth + 1]);
      if (item.key) pending.push([item.key, depth + 1]);
    }
  }
  return undefined;
}
