import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprintEndpoint, fingerprintRequest } from '../../../src/reference/layer/fingerprint.js';
import { sha256Hex } from '../../../src/reference/layer/hash.js';
import { scopedStoreKey } from '../../../src/reference/layer/scope.js';
import { tenantFromAuthorization } from '../../../src/reference/layer/tenant.js';

const body = Buffer.from('{"amount":1}');

describe('fingerprintRequest', () => {
  it('is a stable SHA-256 hex digest', () => {
    const fp = fingerprintRequest('POST', '/payments', body);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintRequest('POST', '/payments', Buffer.from('{"amount":1}'))).toBe(fp);
    expect(fingerprintRequest('post', '/payments', body)).toBe(fp);
  });

  it('changes with method, path, query and body', () => {
    const fp = fingerprintRequest('POST', '/payments', body);
    expect(fingerprintRequest('PUT', '/payments', body)).not.toBe(fp);
    expect(fingerprintRequest('POST', '/refunds', body)).not.toBe(fp);
    expect(fingerprintRequest('POST', '/payments?x=1', body)).not.toBe(fp);
    expect(fingerprintRequest('POST', '/payments', Buffer.from('{"amount":2}'))).not.toBe(fp);
  });

  it('is the digest of "METHOD\\npath\\n" then the body, so records stored by earlier versions still match', () => {
    const framed = Buffer.concat([Buffer.from('POST\n/payments\n', 'latin1'), body]);
    expect(fingerprintRequest('post', '/payments', body)).toBe(createHash('sha256').update(framed).digest('hex'));
  });

  it('frames an empty body, a Uint8Array body and a path beyond latin1 as before (one low byte per UTF-16 unit)', () => {
    const old = (method: string, path: string, bytes: Uint8Array) =>
      createHash('sha256')
        .update(Buffer.concat([Buffer.from(`${method}\n${path}\n`, 'latin1'), bytes]))
        .digest('hex');
    expect(fingerprintRequest('POST', '/p', Buffer.alloc(0))).toBe(old('POST', '/p', Buffer.alloc(0)));
    const plain = new Uint8Array([1, 2, 3]);
    expect(fingerprintRequest('POST', '/p', plain as Buffer)).toBe(old('POST', '/p', plain));
    expect(fingerprintRequest('POST', '/caf\u00e9/\u20ac', body)).toBe(old('POST', '/caf\u00e9/\u20ac', body));
  });

  it('refuses a body that is not bytes (a string would be framed as zeros: two bodies, one fingerprint)', () => {
    expect(() => fingerprintRequest('POST', '/p', 'abc' as unknown as Buffer)).toThrow(TypeError);
  });

  it('frames its parts, so moving bytes between path and body changes the digest', () => {
    expect(fingerprintRequest('POST', '/a', Buffer.from('b'))).not.toBe(fingerprintRequest('POST', '/ab', Buffer.alloc(0)));
  });

  it('hashes binary bodies byte for byte', () => {
    expect(fingerprintRequest('POST', '/x', Buffer.from([0xff, 0x00]))).not.toBe(fingerprintRequest('POST', '/x', Buffer.from([0xfe, 0x00])));
  });

  it('without the body, ignores it (what the no-fingerprint flaw compares)', () => {
    expect(fingerprintEndpoint('POST', '/payments')).toBe(fingerprintEndpoint('post', '/payments'));
    expect(fingerprintEndpoint('POST', '/payments')).not.toBe(fingerprintEndpoint('POST', '/refunds'));
  });

  it('sha256Hex agrees with createHash', () => {
    expect(sha256Hex(body)).toBe(createHash('sha256').update(body).digest('hex'));
  });
});

describe('tenant and scope', () => {
  it('hashes Authorization; anonymous without one', () => {
    expect(tenantFromAuthorization({ authorization: 'Bearer t' })).toBe(sha256Hex('Bearer t'));
    expect(tenantFromAuthorization({ Authorization: 'Bearer t' })).toBe(sha256Hex('Bearer t'));
    expect(tenantFromAuthorization({})).toBe('anonymous');
  });

  it('cannot be confused by separators in tenants or keys', () => {
    expect(scopedStoreKey('a:b', 'c')).not.toBe(scopedStoreKey('a', 'b:c'));
  });
});
