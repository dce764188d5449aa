// Errors of the estate commands (inventory, init --from-openapi, observe): bad input is a usage
// problem (exit 2) with a stable code, never a stack trace.
import { EXIT, IdemauditError } from '../core/errors.js';

/** An OpenAPI document that cannot be read, fetched, parsed or dereferenced. */
export class OpenApiError extends IdemauditError {
  override readonly name = 'OpenApiError';
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super('E_OPENAPI', message, EXIT.usage, hint, options);
  }
}

/** A traffic file (HAR, JSON lines, access log) or a field mapping that cannot be used. */
export class TrafficError extends IdemauditError {
  override readonly name = 'TrafficError';
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super('E_TRAFFIC', message, EXIT.usage, hint, options);
  }
}
