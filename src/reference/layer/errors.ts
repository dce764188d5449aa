// Configuration errors of the layer: thrown by createIdempotencyLayer, each with a stable code.

export class LayerConfigError extends Error {
  override readonly name = 'LayerConfigError';
  constructor(
    /** Stable code, e.g. IDEMPOTENCY_TENANT_REQUIRED. */
    readonly code: string,
    /** The option at fault. */
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}
