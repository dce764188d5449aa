// A problem found in the parsed tree, addressed by its path; load.ts turns the path into line:col.

export type Path = readonly PropertyKey[];

export interface Finding {
  path: Path;
  message: string;
  /** Point at the mapping key of the last path segment instead of its value (unknown keys). */
  at?: 'key' | 'value';
}

/** `endpoints[0].probe.count`; odd keys quoted: `tenants["a b"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(seg))) out += out ? `.${String(seg)}` : String(seg);
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** A problem tied directly to a YAML node or source offset, found before the data exists. */
export interface SourceFinding {
  offset: number;
  message: string;
}
