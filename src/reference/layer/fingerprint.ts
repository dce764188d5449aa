// The request fingerprint that tells "same request retried" from "key reused for something else".
// Method and path are part of it, so a key reused on another endpoint is a 422 mismatch and can
// never replay that endpoint's response (GUIDE section 1, row 8).
import { sha256Hex } from './hash.js';

/** Method and path never contain a newline in HTTP, so the framing below is unambiguous. */
export function fingerprintRequest(method: string, path: string, body: Buffer): string {
  // Uint8Array.set would take a string as array-like and write zeros: two bodies, one fingerprint.
  if (!(body instanceof Uint8Array)) throw new TypeError(`the request body must be a Buffer or Uint8Array, got ${typeof body}`);
  const head = `${method.toUpperCase()}\n${path}\n`;
  // One buffer for head and body (small ones come from Node's pool), not a head buffer plus a concat.
  const framed = Buffer.allocUnsafe(head.length + body.length); // latin1: one byte per character
  framed.write(head, 0, 'latin1');
  framed.set(body, head.length); // set, not copy: a plain Uint8Array body works too
  return sha256Hex(framed);
}

/** The same framing without the body: what an implementation that never hashes payloads compares. */
export function fingerprintEndpoint(method: string, path: string): string {
  return sha256Hex(`${method.toUpperCase()}\n${path}\n`);
}
