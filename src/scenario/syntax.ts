// YAML-level problems: syntax errors reported by the parser, and duplicate mapping keys (checked here
// rather than by the parser so the message can name the key and its first occurrence).
import { isAlias, isScalar, visit, type Document, type LineCounter, type Node } from 'yaml';
import type { SourceFinding } from './finding.js';

export function syntaxErrors(doc: Document): SourceFinding[] {
  return doc.errors.map((e) => ({
    offset: e.pos[0],
    // The parser's own wording names its API here, which means nothing to someone editing a file.
    message:
      e.code === 'MULTIPLE_DOCS'
        ? "YAML syntax error: a scenario file holds a single YAML document; remove the second '---'"
        : `YAML syntax error: ${e.message}`,
  }));
}

export function duplicateKeys(doc: Document, lines: LineCounter): SourceFinding[] {
  const out: SourceFinding[] = [];
  visit(doc, {
    Map(_, map) {
      const first = new Map<string, number>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const name = String(pair.key.value);
        const offset = pair.key.range?.[0] ?? 0;
        const seen = first.get(name);
        if (seen === undefined) first.set(name, offset);
        else out.push({ offset, message: `duplicate key '${name}' (first at line ${lines.linePos(seen).line})` });
      }
    },
  });
  return out;
}

/**
 * Aliases that refer to a node containing them (`a: &a [*a]`). YAML allows that, but the data would
 * be cyclic and every walk over it would recurse without end; a scenario is never cyclic.
 */
export function cyclicAliases(doc: Document): SourceFinding[] {
  // Pre-order visit = document order, so the anchor an alias names is the last one seen before it.
  const anchors = new Map<string, Node>();
  const out: SourceFinding[] = [];
  visit(doc, {
    Node(_, node, path) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target && path.includes(target)) {
          out.push({ offset: node.range?.[0] ?? 0, message: `alias *${node.source} refers to a node that contains it: scenario data cannot be cyclic` });
        }
      } else if (node.anchor) {
        anchors.set(node.anchor, node);
      }
    },
  });
  return out;
}
