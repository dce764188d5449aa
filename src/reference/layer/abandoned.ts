// How a handler says "this worker died mid-flight". The layer neither completes nor releases the
// claim, exactly as after a crash, so the key stays in flight until its lease expires (GUIDE
// section 1, row 10). handle() rethrows it; adapters then drop the connection without answering.
export class AbandonedRequestError extends Error {
  override readonly name = 'AbandonedRequestError';
  constructor(message = 'request abandoned mid-flight') {
    super(message);
  }
}

export function isAbandoned(error: unknown): error is AbandonedRequestError {
  return error instanceof AbandonedRequestError;
}
