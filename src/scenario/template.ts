// Per-request templates (`{{uuid}}`, `{{seq}}`, ...) rendered by the engine at request time, unlike
// `${ENV}` which is resolved once at load time. Randomness is injected so a run is reproducible by seed.

import { InternalError } from '../core/errors.js';

export const TEMPLATE_NAMES = ['uuid', 'seq', 'random', 'key', 'tenant', 'id', 'now'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface TemplateVars {
  /** Request counter supplied by the caller. */
  seq: number;
  /** The idempotency key of the request. */
  key?: string;
  tenant?: string;
  /** Resource id extracted with the endpoint's `identity` pointer (probe paths only). */
  id?: string;
  uuid: () => string;
  /** Random hex string. */
  random: () => string;
  /** Clock for `{{now}}`; defaults to the wall clock. */
  now?: () => Date;
}

// Whitespace inside the braces is tolerated (`{{ uuid }}`), as in Mustache.
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}

/** Names inside `{{...}}` in a string, known or not, in order of appearance. */
export function placeholdersIn(text: string): string[] {
  if (!text.includes('{{')) return [];
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/** The text of a `{{` that no `}}` closes (e.g. `{{uuid`), or undefined: it would be sent literally. */
export function unterminatedPlaceholder(text: string): string | undefined {
  if (!text.includes('{{')) return undefined;
  const rest = text.replace(PLACEHOLDER, '');
  const at = rest.indexOf('{{');
  return at < 0 ? undefined : rest.slice(at, at + 20);
}

function valueOf(name: TemplateName, vars: TemplateVars): string {
  switch (name) {
    case 'uuid':
      return vars.uuid();
    case 'random':
      return vars.random();
    case 'seq':
      return String(vars.seq);
    case 'now':
      return (vars.now ?? (() => new Date()))().toISOString();
    case 'key':
    case 'tenant':
    case 'id': {
      const v = vars[name];
      // Fail loudly: a silent empty string would send a plausible but wrong request.
      if (v === undefined) throw new InternalError(`template {{${name}}} has no value for this request`);
      return v;
    }
  }
}

function renderString(text: string, vars: TemplateVars): string {
  if (!text.includes('{{')) return text;
  return text.replace(PLACEHOLDER, (match, name: string) => {
    if (!isTemplateName(name)) throw new InternalError(`unknown template placeholder ${match}`);
    return valueOf(name, vars);
  });
}

/**
 * Renders every string inside `value` (objects, arrays, nested), leaving keys and non-strings as they
 * are; the input is not mutated. Results are always strings: `"{{seq}}"` renders to `"7"`, not to
 * the number 7, so a field's JSON type never depends on which placeholder it uses.
 * Unknown placeholders throw; load time rejects them first (see load.ts), with their position.
 */
export function renderTemplate(value: unknown, vars: TemplateVars): unknown {
  if (typeof value === 'string') return renderString(value, vars);
  if (Array.isArray(value)) return value.map((v) => renderTemplate(v, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderTemplate(v, vars)]));
  }
  return value;
}

/** RFC 6901: a value placed inside one reference token escapes `~` as `~0` and `/` as `~1`. */
export function escapePointerToken(value: string): string {
  return value.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Renders `{{key}}`, `{{tenant}}` and `{{id}}` inside a JSON pointer, each value escaped as one
 * reference token, so a key containing `/` or `~` still names one member (`/{{tenant}}/{{key}}`).
 */
export function renderPointer(pointer: string, vars: { key?: string; tenant?: string; id?: string }): string {
  const esc = (v: string | undefined): string | undefined => (v === undefined ? undefined : escapePointerToken(v));
  const key = esc(vars.key);
  const tenant = esc(vars.tenant);
  const id = esc(vars.id);
  return renderString(pointer, {
    seq: 0,
    ...(key !== undefined ? { key } : {}),
    ...(tenant !== undefined ? { tenant } : {}),
    ...(id !== undefined ? { id } : {}),
    uuid: () => '',
    random: () => '',
  });
}

/** True when some string inside `value` has a `{{...}}` placeholder: lets callers reuse static bodies. */
export function hasTemplates(value: unknown): boolean {
  if (typeof value === 'string') return placeholdersIn(value).length > 0;
  if (Array.isArray(value)) return value.some(hasTemplates);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasTemplates);
  return false;
}
