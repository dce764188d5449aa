// The one error the reference library throws for bad options (a TypeError, as for any bad argument),
// with a stable code so callers, and the CLI's `serve`, can tell it from a bug.

export class ReferenceConfigError extends TypeError {
  override readonly name = 'ReferenceConfigError';
  readonly code = 'E_REFERENCE_CONFIG';
}
