// Seeded randomness, so the same --seed gives the same keys and payload variants (reproducible runs).
// sfc32 is small, fast and passes PractRand; cryptographic strength is not needed for test data.

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Lower-case hex string of `bytes` random bytes. */
  hex(bytes: number): string;
  /** RFC 9562 version-4 layout UUID drawn from this generator. */
  uuid(): string;
  /** Independent generator derived from this one and a label (stable per label). */
  fork(label: string): Rng;
}

function hashSeed(text: string): [number, number, number, number] {
  // cyrb128: spreads a string seed over four 32-bit words.
  let h1 = 1779033703,
    h2 = 3144134277,
    h3 = 1013904242,
    h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

export function createRng(seed: string): Rng {
  let [a, b, c, d] = hashSeed(seed);
  const nextU32 = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  const hex = (bytes: number): string => {
    let out = '';
    for (let i = 0; i < bytes; i++) out += (nextU32() & 0xff).toString(16).padStart(2, '0');
    return out;
  };
  return {
    next: () => nextU32() / 4294967296,
    hex,
    uuid: () => {
      const h = hex(16);
      const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    fork: (label: string) => createRng(`${seed}/${label}`),
  };
}

/** A fresh human-friendly seed for runs that did not ask for one. */
export function randomSeed(): string {
  return Math.floor(Math.random() * 2 ** 32)
    .toString(16)
    .padStart(8, '0');
}
