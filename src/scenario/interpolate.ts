// `${VAR}` / `${VAR:-default}` interpolation of one string, with `$${` as the escape for a literal
// `${`. Secrets (tokens, URLs) stay out of scenario files this way. Pure: the environment is passed in.

export type Env = Readonly<Record<string, string | undefined>>;

export type InterpolationResult =
  | { value: string }
  /** Variables that are unset and have no default, in order of appearance, without repeats. */
  | { missing: string[] }
  /** A `${` that does not start a valid reference; the text is the offending fragment. */
  | { malformed: string };

// Alternatives, in order: the escape, a well-formed reference, any other `${` (malformed).
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{[^}]*\}?/g;

/**
 * Like POSIX shells and docker compose, `:-` uses the default when the variable is unset OR empty;
 * a plain `${VAR}` set to the empty string yields the empty string.
 */
export function interpolate(text: string, env: Env): InterpolationResult {
  if (!text.includes('${')) return { value: text };
  const missing: string[] = [];
  let malformed: string | undefined;
  const value = text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    if (name === undefined || fallback?.includes('${')) {
      malformed ??= match;
      return match;
    }
    // Only the environment's own string values: `${constructor}` must not read Object.prototype.
    const own = Object.hasOwn(env, name) ? env[name] : undefined;
    const set = typeof own === 'string' ? own : undefined;
    if (fallback !== undefined) return set ? set : fallback;
    if (set === undefined) {
      if (!missing.includes(name)) missing.push(name);
      return match;
    }
    return set;
  });
  if (malformed !== undefined) return { malformed };
  return missing.length > 0 ? { missing } : { value };
}
