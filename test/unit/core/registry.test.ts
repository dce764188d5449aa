import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DuplicateIdError, UnknownIdError, UsageError } from '../../../src/core/errors.js';
import { Registry } from '../../../src/core/registry.js';
import { defineCheck, getCheck, registerCheck } from '../../../src/checks/index.js';
import { finding } from '../../../src/checks/api.js';
import { getReporter, registerReporter } from '../../../src/report/index.js';
import { parseScenario } from '../../../src/scenario/index.js';
import { selectChecks } from '../../../src/audit/selection.js';

describe('Registry', () => {
  it('keeps insertion order and refuses a taken id', () => {
    const r = new Registry<{ id: string; n: number }>('widget', (w) => w.id);
    r.register({ id: 'a', n: 1 });
    r.register({ id: 'b', n: 2 });
    expect(r.ids()).toEqual(['a', 'b']);
    expect(r.get('b').n).toBe(2);
    expect(() => r.register({ id: 'a', n: 3 })).toThrow(DuplicateIdError);
    expect(r.get('a').n).toBe(1);
  });

  it('an unknown id is a usage error naming the closest and every known id', () => {
    const r = new Registry<{ id: string }>('widget', (w) => w.id);
    r.register({ id: 'sprocket' });
    r.register({ id: 'gear' });
    const err = (() => {
      try {
        r.get('sprocke');
      } catch (e) {
        return e;
      }
    })() as UnknownIdError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.code).toBe('E_UNKNOWN_ID');
    expect(err.message).toBe("unknown widget 'sprocke' (did you mean 'sprocket'?)");
    expect(err.hint).toBe('known widgets: sprocket, gear');
    expect(r.find('nope')).toBeUndefined();
  });

  it('built-in registries refuse duplicates too', () => {
    expect(() => registerReporter({ ...getReporter('json') })).toThrow(/report format 'json' is already registered/);
    expect(() => registerCheck({ ...getCheck('missing-key') })).toThrow(/check 'missing-key' is already registered/);
  });
});

describe('an extension check', () => {
  const Options = z.strictObject({ depth: z.number().int().min(1).default(3) });
  registerCheck(
    defineCheck<z.output<typeof Options>>({
      id: 'x-extension-depth',
      title: 'extension',
      summary: 'an extension check used by this test',
      options: Options,
      declaredOnly: true,
      async run(ctx) {
        return [finding('pass', 'observation', `depth ${ctx.options.depth}`, 'test', [])];
      },
    }),
  );
  const yaml = (checks: string): string => `version: 1\nname: s\ntarget: self\nendpoints: [{ name: e, path: /p }]\nchecks:\n${checks}`;

  it('has its options validated and parsed by the scenario loader like a built-in', () => {
    expect(parseScenario(yaml('  x-extension-depth: {}\n'), 's.yaml', {}).checks['x-extension-depth']).toEqual({ depth: 3 });
    expect(() => parseScenario(yaml('  x-extension-depth: { depth: 0 }\n'), 's.yaml', {})).toThrow(/6:3[\s\S]*depth/);
    expect(() => parseScenario(yaml('  x-extension-dept: {}\n'), 's.yaml', {})).toThrow(
      /unknown check id 'x-extension-dept' \(did you mean 'x-extension-depth'\?\)/,
    );
  });

  it('is selectable by --only, and not run by default when declaredOnly', () => {
    const none = parseScenario(`version: 1\nname: s\ntarget: self\nendpoints: [{ name: e, path: /p }]\n`, 's.yaml', {});
    expect(selectChecks(none)).not.toContain('x-extension-depth');
    expect(selectChecks(parseScenario(yaml('  x-extension-depth:\n  missing-key:\n'), 's.yaml', {}), ['x-extension-depth'])).toEqual(['x-extension-depth']);
  });
});
