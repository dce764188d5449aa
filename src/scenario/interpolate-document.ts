// Applies `${ENV}` interpolation to every string scalar of a parsed YAML document, in place, before
// validation: problems keep the position of the scalar that holds the reference. Keys are left alone.
import { isPair, isScalar, visit, type Document } from 'yaml';
import type { SourceFinding } from './finding.js';
import { interpolate, type Env } from './interpolate.js';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g;

/** `headerSecrets` receives the environment values substituted into anything under a `headers:` map. */
export function interpolateDocument(doc: Document, env: Env, headerSecrets: string[] = []): SourceFinding[] {
  const out: SourceFinding[] = [];
  visit(doc, {
    Scalar(key, node, path) {
      if (key === 'key' || typeof node.value !== 'string') return;
      const offset = node.range?.[0] ?? 0;
      const original = node.value;
      const result = interpolate(original, env);
      if ('value' in result) {
        node.value = result.value;
        const inHeaders = path.some((p) => isPair(p) && isScalar(p.key) && p.key.value === 'headers');
        if (inHeaders && result.value !== original) {
          for (const m of original.matchAll(REFERENCE)) {
            const v = env[m[1]!];
            if (v) headerSecrets.push(v);
          }
        }
      } else if ('missing' in result) {
        for (const name of result.missing) {
          out.push({ offset, message: `environment variable ${name} is not set (use \${${name}:-default} for a default)` });
        }
      } else {
        out.push({ offset, message: `malformed reference '${result.malformed}': write \${NAME} or \${NAME:-default}, or $\${ for a literal \${` });
      }
    },
  });
  return out;
}
