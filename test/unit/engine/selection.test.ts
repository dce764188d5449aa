import { describe, expect, it } from 'vitest';
import { defaultCheckIds } from '../../../src/checks/index.js';
import { UsageError } from '../../../src/core/errors.js';
import { assertTargetAllowed, isLoopback } from '../../../src/engine/guard.js';
import { selectChecks } from '../../../src/audit/selection.js';
import { parseScenario } from '../../../src/scenario/index.js';

const scenario = (checks: string) => parseScenario(`version: 1\nname: s\ntarget: self\nendpoints: [{ name: e, path: /p }]\n${checks}`, 's.yaml', {});

describe('check selection', () => {
  it('runs the declared checks, or every protocol check when none are declared, filtered by --only/--skip', () => {
    expect(selectChecks(scenario('checks: { missing-key: {}, cross-tenant: {} }'))).toEqual(['missing-key', 'cross-tenant']);
    expect(selectChecks(scenario(''))).toEqual(defaultCheckIds());
    expect(selectChecks(scenario(''), ['missing-key'])).toEqual(['missing-key']);
    expect(selectChecks(scenario(''), [], ['missing-key'])).not.toContain('missing-key');
    expect(() => selectChecks(scenario(''), ['nope'])).toThrow(UsageError);
  });
});

describe('target allow-list', () => {
  it('allows loopback and named hosts only', () => {
    for (const h of ['127.0.0.1', 'localhost', '[::1]', '127.1.2.3']) expect(isLoopback(h)).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
    expect(() => assertTargetAllowed('http://127.0.0.1:4000', [])).not.toThrow();
    expect(() => assertTargetAllowed('self', [])).not.toThrow();
    expect(() => assertTargetAllowed('https://api.example.com', [])).toThrow(/not loopback and not allowed/);
    expect(() => assertTargetAllowed('https://api.example.com', ['api.example.com'])).not.toThrow();
    expect(() => assertTargetAllowed('https://api.example.com:8443', ['api.example.com:8443'])).not.toThrow();
    expect(() => assertTargetAllowed('https://evil.example.com', ['api.example.com'])).toThrow(UsageError);
  });
});
