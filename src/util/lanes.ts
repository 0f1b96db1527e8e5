// One operation per key at a time: each call runs after everything queued before it for the same
// key, and a failure does not block the next. The map holds only keys with work pending.

export type Lanes = Map<string, Promise<unknown>>;

export function inLane<T>(lanes: Lanes, key: string, fn: () => Promise<T>): Promise<T> {
  const prev = lanes.get(key) ?? Promise.resolve();
  const run = prev.then(fn);
  const tail = run.catch(() => undefined);
  lanes.set(key, tail);
  void tail.then(() => {
    if (lanes.get(key) === tail) lanes.delete(key);
  });
  return run;
}
