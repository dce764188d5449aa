// --fault name[:probability][,key=value...]: parsed into the same validated spec the scenario
// format produces, with errors that say what to type instead.
import { describe, expect, it } from 'vitest';
import { formatFaultSpec, parseFaultFlag } from '../../../src/cli/commands/proxy.js';
import { UsageError } from '../../../src/core/errors.js';

describe('parseFaultFlag', () => {
  it('parses a bare name with defaults', () => {
    expect(parseFaultFlag('reset-before-upstream')).toEqual({ name: 'reset-before-upstream', probability: 1 });
  });

  it('parses a probability', () => {
    expect(parseFaultFlag('drop-response-after-upstream:0.3')).toEqual({ name: 'drop-response-after-upstream', probability: 0.3 });
  });

  it('turns key=value into numeric options', () => {
    expect(parseFaultFlag('latency,ms=200,jitterMs=50')).toEqual({ name: 'latency', probability: 1, ms: 200, jitterMs: 50 });
  });

  it('accepts durations for *Ms options', () => {
    expect(parseFaultFlag('stall-response:0.5,holdMs=2s')).toEqual({ name: 'stall-response', probability: 0.5, holdMs: 2000 });
  });

  it('puts method and path into match, colons in values included', () => {
    expect(parseFaultFlag('gateway-status,status=504,method=POST,path=/v1:batch/*')).toEqual({
      name: 'gateway-status',
      probability: 1,
      status: 504,
      match: { method: 'POST', path: '/v1:batch/*' },
    });
  });

  it.each([
    ['', /missing fault name/],
    [':0.5', /missing fault name/],
    ['latency:half,ms=1', /probability 'half' is not a number/],
    ['gateway-status:1.5', /probability: Too big/],
    ['latency,ms', /expected key=value, got 'ms'/],
    ['latency,ms=1,ms=2', /'ms' is given twice/],
    ['latency,name=x,ms=1', /'name' cannot be set/],
    ['latency,ms=fast', /ms: expected number/],
    ['latncy,ms=1', /unknown fault 'latncy' \(did you mean 'latency'\?\)/],
    ['gateway-status,stauts=504', /unknown option 'stauts' for fault gateway-status \(did you mean 'status'\?\)/],
    ['truncate-body,path=payments', /match\.path: must start with \//],
  ])('rejects %j with a UsageError', (text, message) => {
    let caught: unknown;
    try {
      parseFaultFlag(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).message).toMatch(message);
    expect((caught as UsageError).message).toContain(`--fault '${text}'`);
  });

  it('round-trips through formatFaultSpec', () => {
    for (const text of ['latency,ms=200,jitterMs=50', 'drop-response-after-upstream:0.3,method=POST,path=/payments', 'stall-response,holdMs=30000']) {
      expect(formatFaultSpec(parseFaultFlag(text))).toBe(text);
      expect(parseFaultFlag(formatFaultSpec(parseFaultFlag(text)))).toEqual(parseFaultFlag(text));
    }
  });
});
