// `targets:` on an endpoint (issue 18): it replaces the scenario's instances for that endpoint, `{}`
// opts the endpoint out, problems are positioned like every other, an endpoint-only declaration
// selects the instance checks, and `run --targets` replaces every map.
import { describe, expect, it } from 'vitest';
import { selectChecks } from '../../../src/audit/selection.js';
import { defaultCheckIds } from '../../../src/checks/index.js';
import { targetMaps, instanceUrls } from '../../../src/audit/instances.js';
import { withTargets } from '../../../src/cli/targets-flag.js';
import { parseScenario } from '../../../src/scenario/index.js';
import { render, problemsOf, yaml } from './helpers.js';

const INSTANCE_CHECKS = ['cross-instance-duplicates', 'failover-replay'];

describe('endpoint targets', () => {
  it('loads per endpoint, beside or without the scenario map', () => {
    const s = parseScenario(
      yaml(
        'version: 1',
        'name: s',
        'target: http://127.0.0.1:4000',
        'endpoints:',
        '  - name: a',
        '    path: /a',
        '    targets: { eu: http://127.0.0.1:4000, us: http://127.0.0.1:4001 }',
        '  - name: b',
        '    path: /b',
      ),
      's.yaml',
      {},
    );
    expect(s.targets).toBeUndefined();
    expect(s.endpoints[0]!.targets).toEqual({ eu: 'http://127.0.0.1:4000', us: 'http://127.0.0.1:4001' });
    expect(s.endpoints[1]!.targets).toBeUndefined();
    expect(targetMaps(s).map((m) => m.at)).toEqual(['endpoints.a.targets']);
    expect(instanceUrls(s)).toEqual(['http://127.0.0.1:4000', 'http://127.0.0.1:4001']);
  });

  it('positions every problem of an endpoint map at its entry', () => {
    const problems = render(
      problemsOf(
        yaml(
          'version: 1',
          'name: s',
          'target: http://127.0.0.1:4000',
          'endpoints:',
          '  - name: a',
          '    path: /a',
          '    targets:',
          '      eu: self',
          '      us: http://127.0.0.1:4001',
          '      us2: http://127.0.0.1:4001/',
          '      ap: ftp://x',
          '      "bad name": http://127.0.0.1:4002',
        ),
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^8:\d+ 'self' starts another embedded instance sharing the store of target self/),
      expect.stringMatching(/^10:\d+ us2 has the same URL as us: each entry must be a different instance or region/),
      expect.stringMatching(/^11:\d+ endpoints\[0\]\.targets\.ap: must be an http\(s\) URL or "self"/),
      expect.stringMatching(/^12:\d+ .*letters, digits/),
    ]);
  });

  it('selection: an endpoint-only declaration selects the instance checks; an opt-out alone does not', () => {
    const scenario = (endpoints: string, top = '') => parseScenario(`version: 1\nname: s\ntarget: self\n${top}endpoints:\n${endpoints}`, 's.yaml', {});
    const own = scenario('  - { name: a, path: /a, targets: { eu: self, us: self } }\n  - { name: b, path: /b }\n');
    expect(selectChecks(own)).toEqual([...defaultCheckIds(), ...INSTANCE_CHECKS]);
    const optOut = scenario('  - { name: a, path: /a, targets: {} }\n');
    expect(selectChecks(optOut)).toEqual(defaultCheckIds());
    const top = scenario('  - { name: a, path: /a, targets: {} }\n  - { name: b, path: /b }\n', 'targets: { eu: self, us: self }\n');
    expect(selectChecks(top)).toEqual([...defaultCheckIds(), ...INSTANCE_CHECKS]);
    expect(selectChecks(scenario('  - { name: a, path: /a }\n'))).toEqual(defaultCheckIds());
  });

  it('--targets replaces the scenario map and every endpoint map', () => {
    const s = parseScenario(
      'version: 1\nname: s\ntarget: self\ntargets: { eu: self, us: self }\nendpoints:\n  - { name: a, path: /a, targets: {} }\n  - { name: b, path: /b, targets: { x: self, y: self } }\n',
      's.yaml',
      {},
    );
    const replaced = withTargets(s, { one: 'http://127.0.0.1:1', two: 'http://127.0.0.1:2' });
    expect(replaced.targets).toEqual({ one: 'http://127.0.0.1:1', two: 'http://127.0.0.1:2' });
    expect(replaced.endpoints.map((e) => e.targets)).toEqual([undefined, undefined]);
    expect(targetMaps(replaced).map((m) => m.at)).toEqual(['targets']);
    // The loaded scenario itself is left as it was.
    expect(s.endpoints[0]!.targets).toEqual({});
  });
});
