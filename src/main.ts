// Entry point: the only place that reads process.env and handles signals.
import { ConfigError, loadConfig, redacted } from './config.ts';
import { createApp } from './app.ts';
import { createLogger } from './logger.ts';
import { loadEnvFile } from './env-file.ts';
import { secretsOf } from './secrets.ts';

// .env in the working directory, when present; the real environment wins (src/env-file.ts).
loadEnvFile();

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    for (const line of err.problems) console.error(`config error: ${line}`);
    process.exit(1);
  }
  throw err;
}

const logger = createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) });
logger.info('starting mjbot', { config: redacted(config) });
const app = createApp(config, { logger });

process.on('unhandledRejection', (err) => logger.error('unhandled rejection', { err }));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info('stopping', { signal });
    void app.stop().finally(() => process.exit(0));
  });
}

try {
  await app.start();
} catch (err) {
  logger.error('start-up failed', { err });
  await app.stop().catch(() => undefined);
  process.exit(1);
}
