// A job's own calls (its buttons, modal, seed, cancel) go to the backend that took it, and only
// there: its record names it (none: a record written before several backends, so `default`).
import { DEFAULT_BACKEND } from '../proxy/lanes.ts';
import type { JobPlace } from '../proxy/task-reader.ts';
import type { CallOptions } from '../proxy/transport.ts';

export function jobCall(job: JobPlace): CallOptions {
  return { ...(job.mode ? { mode: job.mode } : {}), backend: job.backend || DEFAULT_BACKEND };
}
