// init --from-openapi without the CLI: the generated scenario parses and validates for every
// fixture, bodies come from examples or schemas, identity and keyRequired follow the spec.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateScenario, inventorySpec, selectOperations } from '../../../src/estate/index.js';
import { parseScenario } from '../../../src/scenario/load.js';

const loopbackOnly = { allowUrl: (u: URL) => u.hostname === '127.0.0.1' };

async function generate(source: string, filter = {}) {
  const { selected } = await inventorySpec(source, loopbackOnly);
  const chosen = selectOperations(selected, filter);
  const text = await generateScenario(chosen, { name: 'generated', target: 'http://127.0.0.1:4000', specSource: source });
  return { text, doc: parse(text) as { endpoints: Record<string, unknown>[]; defaults: { keyHeader: string } } };
}

describe('scenario generation', () => {
  it.each([
    'scenarios/openapi/payments.yaml',
    'test/fixtures/openapi/swagger2.yaml',
    'test/fixtures/openapi/openapi30/main.yaml',
    'test/fixtures/openapi/openapi31.yaml',
  ])('%s: the scenario validates', async (source) => {
    const { text } = await generate(source);
    const scenario = parseScenario(text, 'generated.yaml', {});
    expect(scenario.endpoints.length).toBeGreaterThan(0);
  });

  it('bodies from examples, else sampled from schemas (allOf merged); identity guessed; keyRequired from the spec', async () => {
    const { doc, text } = await generate('test/fixtures/openapi/swagger2.yaml');
    const create = doc.endpoints.find((e) => e.name === 'create-order')!;
    expect(create.body).toEqual({ amount: 500, currency: 'CHF', sku: 'sku-1', quantity: 1 });
    expect(create).toMatchObject({ identity: '/uuid', keyRequired: 'mandatory', risk: 'critical', method: 'POST', path: '/orders' });
    expect(doc.defaults.keyHeader).toBe('X-Idempotency-Key');
    const cancel = doc.endpoints.find((e) => e.name === 'cancel-order')!;
    expect(cancel).toMatchObject({ keyRequired: 'expected', path: '/orders/${ORDER_ID:-change-me}/cancel' });
    expect(cancel.identity).toBe('/uuid');
    // 204 without a schema: no pointer to guess, a FILL IN comment instead.
    expect(doc.endpoints.find((e) => e.name === 'set-preferences')!.identity).toBeUndefined();
    expect(text).toContain('# identity: /id              # FILL IN');
    expect(text).toContain('# FILL IN: ORDER_ID');
    const drop = doc.endpoints.find((e) => e.name === 'drop-cart')!;
    expect(drop).toMatchObject({ keyRequired: 'optional', method: 'DELETE' });
    expect(text).toContain('# NOTE: this operation uses Idempotency-Token');
  });

  it('multi-file 3.0: nested identity pointer and the first named example; 3.1: required query parameters', async () => {
    const g30 = await generate('test/fixtures/openapi/openapi30/main.yaml');
    expect(g30.doc.endpoints.find((e) => e.name === 'create-transfer')).toMatchObject({
      identity: '/data/id',
      body: { from: 'acc_1', to: 'acc_2', amount: 2500 },
      policy: { retention: '7d' },
    });
    expect(g30.doc.endpoints.find((e) => e.name === 'update-account')).toMatchObject({ body: { nickname: 'savings' } });
    const g31 = await generate('test/fixtures/openapi/openapi31.yaml');
    expect(g31.doc.endpoints.find((e) => e.name === 'replace-widget')).toMatchObject({ path: '/widgets/${ID:-change-me}?dryRun=${DRY_RUN:-change-me}' });
    const payout = g31.doc.endpoints.find((e) => e.name === 'create-payout')!;
    expect(payout.body).toMatchObject({ amount: 1 });
    expect(typeof (payout.body as { iban: unknown }).iban).toBe('string');
  });

  it('filters by tag, path and risk', async () => {
    const { selected } = await inventorySpec('test/fixtures/openapi/swagger2.yaml', loopbackOnly);
    const names = (f: object) => selectOperations(selected, f).map((s) => s.op.operationId);
    expect(names({ tags: ['orders'] })).toEqual(['createOrder']);
    expect(names({ paths: ['/orders'] })).toEqual(['createOrder', 'cancelOrder']);
    expect(names({ paths: ['/users/*'] })).toEqual(['setPreferences']);
    expect(names({ risks: ['medium'] })).toEqual(['setPreferences', 'dropCart']);
    expect(names({ risks: ['low'] })).toEqual([]);
  });
});
