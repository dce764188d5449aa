// The keys a strict object in ScenarioSchema accepts at a given path, for "unknown key" messages.
import { z } from 'zod';
import type { Path } from './finding.js';

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault || s instanceof z.ZodPrefault) s = s.unwrap() as z.ZodType;
    // A check's options: z.union([z.null(), options]).transform(...) (see scenarioSchema()).
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else if (s instanceof z.ZodUnion) s = ((s.options as z.ZodType[]).find((o) => unwrap(o) instanceof z.ZodObject) ?? s.options[0]) as z.ZodType;
    else return s;
  }
}

export function allowedKeys(schema: z.ZodType, path: Path): string[] {
  let s: z.ZodType | undefined = schema;
  for (const seg of path) {
    s = unwrap(s);
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(seg)];
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else return [];
    if (!s) return [];
  }
  s = unwrap(s);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}
