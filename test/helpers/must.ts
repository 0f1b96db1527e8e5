// Reaching into what the code under test returned: a missing element fails the test saying what was
// expected, rather than with "cannot read properties of undefined" a line later.
import { assert } from 'vitest';

/** `x`, or a failed test saying `what` was missing. */
export function must<T>(x: T, what: string): Exclude<T, undefined> {
  assert.isDefined(x, `expected ${what}`);
  return x;
}
