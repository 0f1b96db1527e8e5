// Lanes: where a job's reads and clicks go, by name. A lane is a backend, or one of its speeds
// when that speed has a base of its own (`fast` on trueai's /mj-fast). What a backend can do
// (list-by-condition, batch size, hidden buttons) is remembered per lane, and reads are batched
// per lane. The one backend of MJ_BASE_URL is `default` and its speeds' lanes are named bare
// (`fast`), as they were before several backends, so stores written then keep working; another
// backend's are `<backend>/<speed>`.

/** The backend of MJ_BASE_URL, and of records written before records named their backend. */
export const DEFAULT_BACKEND = 'default';

/** The lane of a job on `backend` in `mode` (`modes`: the speeds that backend offers). */
export function laneOf(backend: string, mode: string | null | undefined, modes: readonly string[]): string {
  const m = mode && modes.includes(mode) ? mode : undefined;
  if (backend === DEFAULT_BACKEND) return m ?? DEFAULT_BACKEND;
  return m ? `${backend}/${m}` : backend;
}

/** The backend and speed of a lane (`defaultModes`: the speeds of the backend named `default`). */
export function splitLane(lane: string, defaultModes: readonly string[]): { backend: string; mode?: string } {
  const at = lane.indexOf('/');
  if (at > 0) return { backend: lane.slice(0, at), mode: lane.slice(at + 1) };
  if (defaultModes.includes(lane)) return { backend: DEFAULT_BACKEND, mode: lane };
  return { backend: lane };
}
