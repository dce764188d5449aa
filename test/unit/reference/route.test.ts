import { describe, expect, it } from 'vitest';
import { defaultRouteOf, normalisedRoute } from '../../../src/reference/layer/route.js';
import type { LayerRequest } from '../../../src/reference/index.js';

const req = (path: string, route?: string): LayerRequest => ({
  method: 'POST',
  path,
  headers: {},
  body: Buffer.alloc(0),
  ...(route === undefined ? {} : { route }),
});

describe('route labels', () => {
  it('normalises ids, drops the query and caps the depth', () => {
    expect(normalisedRoute('/payments/123/refunds?x=1')).toBe('/payments/:id/refunds');
    expect(normalisedRoute('/orders/3f2b8c1e-1a2b-4c3d-9e8f-0123456789ab')).toBe('/orders/:id');
    expect(normalisedRoute('/a/b/c/d/e/f/g/h')).toBe('/a/b/c/d/e/f/*');
  });

  it('the adapter route wins; cached paths answer the same as normalising afresh, also after the cache fills and empties', () => {
    expect(defaultRouteOf(req('/payments/9', '/payments/:paymentId'))).toBe('/payments/:paymentId');
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < 2500; i += 1) {
        const path = i % 3 === 0 ? '/payments' : `/payments/${i}/refunds`;
        expect(defaultRouteOf(req(path))).toBe(normalisedRoute(path));
      }
    }
    expect(defaultRouteOf(req('/payments'))).toBe('/payments');
  });
});
