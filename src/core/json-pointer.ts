// RFC 6901 JSON pointers: one parser for every reader (oracles, load duplicate judge) and for the
// body comparison that ignores fields.

/** The unescaped reference tokens of a pointer ("" is the whole document: no tokens). */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function child(node: unknown, token: string): unknown {
  if (Array.isArray(node)) return node[Number(token)];
  if (node !== null && typeof node === 'object') return (node as Record<string, unknown>)[token];
  return undefined;
}

/** The value the pointer names, or undefined when the path does not exist. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  let node: unknown = doc;
  for (const token of pointerTokens(pointer)) {
    node = child(node, token);
    if (node === undefined) return undefined;
  }
  return node;
}

/** Deletes the member the pointer names, in place; does nothing when its parent does not exist. */
export function removeAtPointer(doc: unknown, pointer: string): void {
  const tokens = pointerTokens(pointer);
  const last = tokens.pop();
  if (last === undefined) return;
  let node: unknown = doc;
  for (const token of tokens) node = child(node, token);
  if (node !== null && typeof node === 'object') delete (node as Record<string, unknown>)[last];
}
