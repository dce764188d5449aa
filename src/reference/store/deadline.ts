// A store call bounded in time: one promise settled by whichever comes first, the call or the timer,
// the timer cleared either way. Not Promise.race plus finally: that is two promises more per call,
// and store calls are on every request's path.

/** The longest delay setTimeout honours (a longer one fires at once: every call would time out). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `promise`, or a rejection with `timedOut()` once `ms` have passed without it settling. */
export function settleWithin<T>(promise: Promise<T>, ms: number, timedOut: () => Error, unref = false): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut()), ms);
    if (unref) timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
