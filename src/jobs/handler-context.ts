// What command, button and modal handlers are given: the jobs facade, the configuration, the
// logger and the clock. Nothing else of the app (no store, proxy or tracker) reaches a handler.
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Jobs } from './jobs.ts';

export interface HandlerContext {
  jobs: Jobs;
  config: Config;
  logger: Logger;
  now: () => number;
}
