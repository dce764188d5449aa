// A retry budget per request path: a token bucket holding up to maxRetries tokens that refills
// continuously over windowMs. Every retry (never a first attempt) spends one, so an outage cannot
// multiply traffic by maxAttempts (the AWS SDKs' retry quota, on a clock rather than on successes).
// The clock is passed in, so the bucket is a pure state machine tests can drive.

export interface RetryBudgetConfig {
  maxRetries: number;
  windowMs: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RetryBudget {
  readonly #config: RetryBudgetConfig;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  /** `maxKeys` bounds memory when paths carry ids; the least recently used path is forgotten (its bucket refills). */
  constructor(config: RetryBudgetConfig, options: { maxKeys?: number } = {}) {
    if (!(config.windowMs > 0) || !(config.maxRetries >= 0)) throw new RangeError('a retry budget needs maxRetries >= 0 and windowMs > 0');
    this.#config = config;
    this.#maxKeys = options.maxKeys ?? 1024;
  }

  #refilled(key: string, now: number): Bucket {
    const { maxRetries, windowMs } = this.#config;
    const bucket = this.#buckets.get(key) ?? { tokens: maxRetries, updatedAt: now };
    // Multiply before dividing: 1000 ms x 3 / 1000 is exactly 3 tokens, with no float residue.
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(maxRetries, bucket.tokens + (elapsed * maxRetries) / windowMs);
    bucket.updatedAt = now;
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
    return bucket;
  }

  /** Whole retries `key` may still spend at `now`. */
  available(key: string, now: number): number {
    return Math.floor(this.#refilled(key, now).tokens);
  }

  /** Spends one retry for `key` if one is left. */
  tryAcquire(key: string, now: number): boolean {
    const bucket = this.#refilled(key, now);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
