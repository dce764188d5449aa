// Maps a path in the parsed data (as zod reports it) back to the YAML node it came from.
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import type { Path } from './finding.js';

export interface Location {
  /** The node at the path; when `found` is false, the deepest existing ancestor (a mapping for a missing key). */
  node: Node;
  /** Key node of the last segment when it was reached through a mapping. */
  key?: Node;
  found: boolean;
}

function keyText(pair: Pair): string | undefined {
  if (isScalar(pair.key)) return String(pair.key.value);
  // A parsed document's keys are scalar nodes; a plain key is a string or number, anything else names no path segment.
  return typeof pair.key === 'string' || typeof pair.key === 'number' ? String(pair.key) : undefined;
}

export function locate(doc: Document, path: Path): Location | undefined {
  let node = doc.contents;
  let key: Node | undefined;
  if (!node) return undefined;
  for (const seg of path) {
    // Aliases point back at their anchor; locations then name the anchored definition.
    const container: Node = isAlias(node) ? ((node.resolve(doc) as Node | undefined) ?? node) : node;
    let next: Node | null | undefined;
    if (isMap(container)) {
      const pair: Pair | undefined = container.items.find((p: Pair) => keyText(p) === String(seg));
      if (!pair) return { node: container, found: false };
      key = pair.key as Node;
      // `key:` with nothing after it has no value node, or an empty one placed after the colon.
      const value = pair.value as Node | null;
      next = value?.range && value.range[0] < value.range[1] ? value : key;
    } else if (isSeq(container) && typeof seg === 'number') {
      key = undefined;
      next = container.items[seg] as Node | undefined;
    }
    if (!next) return { node: container, found: false };
    node = next;
  }
  return { node, key, found: true };
}
