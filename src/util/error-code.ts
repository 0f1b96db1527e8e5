// The code that says what went wrong on the wire, wherever an error keeps it.

/**
 * The first string `code` of an error, of its cause, or of the first of its per-address errors
 * (Node's happy eyeballs throws an AggregateError with one error per address tried):
 * `ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_CONNECT_TIMEOUT`.
 */
export function errorCode(err: unknown, depth = 0): string | undefined {
  const e = err as { code?: unknown; errors?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object' || depth > 3) return undefined;
  if (typeof e.code === 'string' && e.code) return e.code;
  return errorCode(Array.isArray(e.errors) && e.errors.length ? e.errors[0] : e.cause, depth + 1);
}
