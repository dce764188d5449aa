// Applies `${ENV}` interpolation to every string scalar of a parsed YAML document, in place, before
// validation: problems keep the position of the scalar that holds the reference. Keys are left alone.
import { visit, type Document } from 'yaml';
import type { SourceFinding } from './finding.js';
import { interpolate, type Env } from './interpolate.js';

export function interpolateDocument(doc: Document, env: Env): SourceFinding[] {
  const out: SourceFinding[] = [];
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string') return;
      const offset = node.range?.[0] ?? 0;
      const result = interpolate(node.value, env);
      if ('value' in result) node.value = result.value;
      else if ('missing' in result) {
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
