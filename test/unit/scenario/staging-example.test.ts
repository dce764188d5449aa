import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../../src/core/errors.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';

const file = fileURLToPath(new URL('../../../scenarios/staging-example.yaml', import.meta.url));

describe('scenarios/staging-example.yaml', () => {
  it('loads when its environment variables are set, with defaults for the optional ones', async () => {
    const s = await loadScenarioFile(file, { STAGING_TOKEN_A: 'tok-a' });
    expect(s.target).toBe('https://staging.example.com');
    expect(s.tenants['merchant-a']?.headers.Authorization).toBe('Bearer tok-a');
    expect(s.tenants['merchant-b']?.headers.Authorization).toBe('Bearer replace-me');
    expect(s.endpoints.map((e) => e.name)).toEqual(['create-payment', 'create-refund']);
    expect(Object.keys(s.checks)).toEqual(['concurrent-duplicates', 'sequential-replay', 'payload-mismatch', 'missing-key', 'cross-tenant']);
  });

  it('takes the target from STAGING_URL', async () => {
    const s = await loadScenarioFile(file, { STAGING_TOKEN_A: 'a', STAGING_URL: 'http://localhost:8080' });
    expect(s.target).toBe('http://localhost:8080');
  });

  it('names the required token when it is missing', async () => {
    const err = await loadScenarioFile(file, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).problems).toEqual([
      expect.objectContaining({ line: 35, col: 22, message: expect.stringContaining('environment variable STAGING_TOKEN_A is not set') }),
    ]);
  });
});
