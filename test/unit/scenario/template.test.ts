import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { hasTemplates, renderTemplate, type TemplateVars } from '../../../src/scenario/index.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function vars(seed: number, extra: Partial<TemplateVars> = {}): TemplateVars {
  const rng = createRng(String(seed));
  return { seq: 7, uuid: () => rng.uuid(), random: () => rng.hex(8), now: () => new Date('2025-01-02T03:04:05.678Z'), ...extra };
}

describe('renderTemplate', () => {
  it('renders strings nested in objects and arrays without touching keys, other values or the input', () => {
    const body = { '{{seq}}': 'order-{{seq}}', n: 7, ok: true, none: null, lines: [{ ref: '{{ seq }}' }, 'at {{now}}'] };
    const copy = structuredClone(body);
    expect(renderTemplate(body, vars(1))).toEqual({
      '{{seq}}': 'order-7',
      n: 7,
      ok: true,
      none: null,
      lines: [{ ref: '7' }, 'at 2025-01-02T03:04:05.678Z'],
    });
    expect(body).toEqual(copy);
  });

  it('renders a lone {{seq}} as a string, never as a number', () => {
    expect(renderTemplate({ seq: '{{seq}}' }, vars(1))).toEqual({ seq: '7' });
  });

  it('fills key, tenant and id from the vars', () => {
    expect(renderTemplate('/count/{{key}}/{{tenant}}/{{id}}', vars(1, { key: 'k1', tenant: 'acme', id: 'pay_1' }))).toBe('/count/k1/acme/pay_1');
  });

  it('throws rather than send a request with a missing value', () => {
    expect(() => renderTemplate('/payments/{{id}}', vars(1))).toThrow('template {{id}} has no value for this request');
    expect(() => renderTemplate('{{nope}}', vars(1))).toThrow('unknown template placeholder {{nope}}');
  });

  it('gives the same uuids and random hex for the same seed, and others for another seed', () => {
    const render = (seed: number) => {
      const v = vars(seed);
      return [renderTemplate('{{uuid}}', v), renderTemplate('{{uuid}}', v), renderTemplate('{{random}}', v)] as string[];
    };
    const first = render(42);
    expect(render(42)).toEqual(first);
    expect(render(43)).not.toEqual(first);
    expect(first[0]).toMatch(UUID_V4);
    expect(first[1]).toMatch(UUID_V4);
    expect(first[0]).not.toBe(first[1]);
    expect(first[2]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('produces no repeated uuid over many draws', () => {
    const v = vars(7);
    const seen = new Set(Array.from({ length: 10_000 }, () => v.uuid()));
    expect(seen.size).toBe(10_000);
  });
});

describe('hasTemplates', () => {
  it('finds a placeholder anywhere inside a value', () => {
    expect(hasTemplates({ a: [1, { b: 'x-{{uuid}}' }] })).toBe(true);
    expect(hasTemplates('{{ seq }}')).toBe(true);
  });

  it('is false for static values, including keys that look like templates', () => {
    expect(hasTemplates({ '{{uuid}}': 'static', n: 1, list: ['a', null] })).toBe(false);
    expect(hasTemplates('{ not a template }')).toBe(false);
    expect(hasTemplates(undefined)).toBe(false);
  });
});
