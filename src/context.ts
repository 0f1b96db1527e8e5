// What commands and interaction handlers are given: built once by createApp.
import type { Dispatcher } from 'undici';
import type { Config } from './config.ts';
import type { Audit } from './jobs/audit.ts';
import type { Logger } from './logger.ts';
import type { BackendPool } from './proxy/pool.ts';
import type { TaskReader } from './proxy/task-reader.ts';
import type { Stores } from './store/create-store.ts';
import type { Poller } from './tasks/poller.ts';
import type { Tracker } from './tasks/tracker.ts';

export interface AppContext {
  config: Config;
  /** The configured backends: new jobs routed among them, a job's own calls to its backend (proxy/pool.ts). */
  proxy: BackendPool;
  /** Reads task states (batched, per backend): the poller, "Check again", /task and /tasks. */
  reader: TaskReader;
  stores: Stores;
  tracker: Tracker;
  poller: Poller;
  logger: Logger;
  now: () => number;
  /** The dispatcher for downloads (uploads, results): refuses private addresses of untrusted hosts. */
  downloads: Dispatcher;
  /** The audit channel's lines (per job, per admin change): queued, never in a job's way. */
  audit: Audit;
}

/** What the jobs facade works with: the app's parts except the poller (the tracker hands jobs to it). */
export type JobsContext = Omit<AppContext, 'poller'>;
