import { describe, expect, it } from 'vitest';
import { interpolate } from '../../../src/scenario/index.js';

describe('interpolate', () => {
  const env = { HOST: 'api.test', EMPTY: '' };

  it('replaces ${VAR} and leaves other text as is', () => {
    expect(interpolate('https://${HOST}/v1', env)).toEqual({ value: 'https://api.test/v1' });
    expect(interpolate('no references, $HOST, {HOST}', env)).toEqual({ value: 'no references, $HOST, {HOST}' });
  });

  it('uses the default when the variable is unset or empty, like a shell', () => {
    expect(interpolate('${PORT:-8080}', env)).toEqual({ value: '8080' });
    expect(interpolate('${EMPTY:-fallback}', env)).toEqual({ value: 'fallback' });
    expect(interpolate('${HOST:-fallback}', env)).toEqual({ value: 'api.test' });
    expect(interpolate('a${PORT:-}b', env)).toEqual({ value: 'ab' });
  });

  it('keeps a set but empty variable empty', () => {
    expect(interpolate('[${EMPTY}]', env)).toEqual({ value: '[]' });
  });

  it('treats $${ as a literal ${', () => {
    expect(interpolate('$${HOST} and ${HOST}', env)).toEqual({ value: '${HOST} and api.test' });
    expect(interpolate('$${NOT_SET}', env)).toEqual({ value: '${NOT_SET}' });
  });

  it('lists every unset variable once, in order', () => {
    expect(interpolate('${B}/${A}/${B}/${HOST}', env)).toEqual({ missing: ['B', 'A'] });
  });

  it('flags references it cannot parse instead of passing them through', () => {
    expect(interpolate('${not-a-name}', env)).toEqual({ malformed: '${not-a-name}' });
    expect(interpolate('x ${HOST', env)).toEqual({ malformed: '${HOST' });
    expect(interpolate('${A:-${B}}', env)).toEqual({ malformed: '${A:-${B}' });
  });
});
