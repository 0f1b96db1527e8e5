// Entry point: the only place that reads process.env and handles signals.
import { CONFIG_KEYS, redacted } from './config.ts';
import { createApp } from './app.ts';
import { createLogger } from './logger.ts';
import { loadEntryConfig } from './env-file.ts';
import { secretsOf } from './secrets.ts';

// .env in the working directory, when present (the real environment wins), then every variable:
// one `config error: NAME: why` line each and exit code 1 when one is missing or malformed.
const config = loadEntryConfig(CONFIG_KEYS);

const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, secrets: secretsOf(config) });
logger.info('starting mjbot', { config: redacted(config) });
const app = createApp(config, { logger });

process.on('unhandledRejection', (err) => logger.error('unhandled rejection', { err }));

/** Past the grace period, how long the rest of the stop may take before the process exits regardless. */
const STOP_MARGIN_MS = 3_500;
/**
 * A repeat this soon is the same signal delivered twice: a terminal's Ctrl-C reaches every process
 * of the group, and `npm start` and tsx pass it on to the bot once more.
 */
const SAME_SIGNAL_MS = 500;
// The first SIGTERM/SIGINT stops gracefully (app.stop: no new interactions, the running ones
// finish within SHUTDOWN_GRACE_MS, leases released, client destroyed, store closed); a second one
// cuts the wait short. A stop that hangs anyway does not outlive the supervisor's patience.
let since = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (since) {
      if (Date.now() - since < SAME_SIGNAL_MS) return;
      logger.warn('stopping now', { signal });
      void app.stop();
      return;
    }
    since = Date.now();
    logger.info('stopping', { signal, graceMs: config.SHUTDOWN_GRACE_MS });
    setTimeout(() => {
      logger.error('stop did not finish in time; exiting', { afterMs: Date.now() - since });
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS + STOP_MARGIN_MS).unref();
    app.stop().then(
      () => {
        logger.info('stopped', { afterMs: Date.now() - since });
        process.exit(0);
      },
      (err: unknown) => {
        logger.error('stop failed', { err });
        process.exit(1);
      },
    );
  });
}

try {
  await app.start();
} catch (err) {
  // A signal during start-up: its stop (and exit) is already under way.
  if (since) await new Promise(() => undefined);
  logger.error('start-up failed', { err });
  await app.stop().catch(() => undefined);
  process.exit(1);
}
