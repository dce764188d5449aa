// Golden tests of the inventory on the shipped spec and on Swagger 2.0, OpenAPI 3.0 (multi-file
// $refs, allOf, header parameters by reference) and 3.1 documents. Regenerate the golden files
// with UPDATE_GOLDEN=1 after a deliberate change, and review the diff.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventorySpec, renderInventory } from '../../../src/estate/index.js';
import { OpenApiError } from '../../../src/estate/errors.js';

const FIXTURES = 'test/fixtures/openapi';
const loopbackOnly = { allowUrl: (u: URL) => u.hostname === '127.0.0.1' };

async function golden(source: string, name: string) {
  const { inventory } = await inventorySpec(source, loopbackOnly);
  const text = renderInventory(inventory, 'json');
  const file = path.join(FIXTURES, `${name}.inventory.json`);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
  return inventory;
}

const row = (inv: Awaited<ReturnType<typeof golden>>, route: string) => {
  const r = inv.rows.find((x) => `${x.method} ${x.path}` === route);
  if (!r) throw new Error(`no row ${route}`);
  return r;
};

describe('inventory', () => {
  it('the shipped payments spec: both mutations critical, keyed, required, documented; the gate passes', async () => {
    const inv = await golden('scenarios/openapi/payments.yaml', 'payments');
    expect(inv.rows.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /payments', 'POST /refunds']);
    for (const r of inv.rows) {
      expect(r).toMatchObject({
        risk: 'critical',
        keyHeader: 'Idempotency-Key',
        keyRequired: true,
        conflictStatus: 422,
        retention: '24h',
        replayHeader: 'Idempotent-Replayed',
        gaps: [],
      });
      expect(r.documented).toEqual({ '400': true, '409': true, '422': true });
    }
    expect(inv.verdict).toBe('pass');
  });

  it('Swagger 2.0: header parameter by $ref, x-idempotency header, and the critical gate fails on the keyless cancel', async () => {
    const inv = await golden(`${FIXTURES}/swagger2.yaml`, 'swagger2');
    expect(inv.spec.version).toBe('2.0');
    expect(row(inv, 'POST /orders')).toMatchObject({ keyHeader: 'X-Idempotency-Key', keyRequired: true, conflictStatus: 409, risk: 'critical' });
    expect(row(inv, 'POST /orders/{orderId}/cancel')).toMatchObject({ keyHeader: null, risk: 'critical' });
    expect(row(inv, 'PUT /users/{id}/preferences')).toMatchObject({ keyHeader: null, risk: 'medium' });
    expect(row(inv, 'DELETE /carts/{id}')).toMatchObject({ keyHeader: 'Idempotency-Token', keyRequired: false, justification: 'deleting twice is harmless' });
    expect(row(inv, 'DELETE /carts/{id}').gaps).not.toContain('key optional without a justification');
    expect(inv.summary.gateViolations).toEqual(['POST /orders/{orderId}/cancel']);
    expect(inv.verdict).toBe('fail');
  });

  it('OpenAPI 3.0 across files: parameters, schemas and responses from other files, path-level retention', async () => {
    const inv = await golden(`${FIXTURES}/openapi30/main.yaml`, 'openapi30');
    expect(inv.rows).toHaveLength(3); // the GET is not a mutation
    expect(row(inv, 'POST /transfers')).toMatchObject({
      keyHeader: 'Idempotency-Key',
      keyRequired: true,
      retention: '7d',
      conflictStatus: 409,
      risk: 'critical',
    });
    expect(row(inv, 'PATCH /accounts/{accountId}')).toMatchObject({ keyRequired: false, conflictStatus: 422 });
    expect(row(inv, 'PATCH /accounts/{accountId}').gaps).toContain('key optional without a justification');
    expect(row(inv, 'POST /analytics/events')).toMatchObject({ risk: 'low', keyHeader: null, riskReason: 'path: "analytic"' });
    expect(inv.summary.noConflictSemantics).toEqual(['POST /analytics/events']);
  });

  it('OpenAPI 3.1: $ref with siblings, x-idempotency risk override, and problems reported without failing', async () => {
    const inv = await golden(`${FIXTURES}/openapi31.yaml`, 'openapi31');
    expect(inv.spec.version).toBe('3.1.0');
    expect(row(inv, 'POST /payouts')).toMatchObject({
      risk: 'high',
      riskReason: 'x-idempotency.risk',
      retention: '48h',
      conflictStatus: 422,
      keyRequired: true,
      gaps: [],
    });
    expect(row(inv, 'POST /payouts').problems).toEqual(['x-idempotency (POST /payouts): unknown field replays']);
    expect(row(inv, 'PUT /widgets/{id}').problems).toEqual(['x-idempotency (PUT /widgets/{id}).retention: must be a duration such as 24h']);
  });

  it('user rules and overrides beat the built-in guess; the gate follows the levels asked for', async () => {
    const { inventory } = await inventorySpec(`${FIXTURES}/swagger2.yaml`, loopbackOnly, {
      rules: [{ risk: 'low', match: 'cancel' }],
      overrides: [{ operation: 'setPreferences', risk: 'critical' }],
      requireKeyFor: ['critical'],
    });
    expect(row(inventory, 'POST /orders/{orderId}/cancel')).toMatchObject({ risk: 'low' });
    expect(row(inventory, 'PUT /users/{id}/preferences')).toMatchObject({ risk: 'critical', riskReason: '--risk-override' });
    expect(inventory.summary.gateViolations).toEqual(['PUT /users/{id}/preferences']);
  });

  it('refuses a non-loopback URL before fetching anything, and reports a missing file as a usage error', async () => {
    await expect(inventorySpec('http://api.example.com/openapi.yaml', loopbackOnly)).rejects.toThrow(/not loopback and not allowed/);
    await expect(inventorySpec('test/fixtures/openapi/nope.yaml', loopbackOnly)).rejects.toBeInstanceOf(OpenApiError);
    // An external $ref in a local file follows the same rule.
    await expect(inventorySpec(`${FIXTURES}/remote-ref.yaml`, loopbackOnly)).rejects.toThrow(/spec\.example\.invalid is not loopback and not allowed/);
  });

  it('renders Markdown and HTML with the checklist, escaping what the spec says', async () => {
    const { inventory } = await inventorySpec(`${FIXTURES}/swagger2.yaml`, loopbackOnly);
    const md = renderInventory(inventory, 'md');
    expect(md).toContain('## Endpoints that still lack a declared key');
    expect(md).toContain('- `POST /orders/{orderId}/cancel`');
    const html = renderInventory(inventory, 'html');
    expect(html).toContain('FAIL: 1 critical mutation(s) without a required key');
    inventory.rows[0]!.justification = '<script>alert(1)</script>';
    expect(renderInventory(inventory, 'html')).not.toContain('<script>alert');
  });
});
