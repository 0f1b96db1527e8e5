// A playground for tests: the simulated proxy moving fast, a store in a temporary directory, the
// bot's log kept in memory. Jobs still run on real time (the proxy's clock), so waits are real.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../commands/index.ts';
import { createLogger } from '../../src/logger.ts';
import { startPlayground, type Playground, type PlaygroundOptions } from '../../stand-ins/playground/playground.ts';
import { echo } from './echo-command.ts';
import { whenReported } from '../helpers/harness.ts';

export interface TestPlayground extends Playground {
  logs: string[];
}

export async function startTestPlayground(stepMs = 400, more: Pick<PlaygroundOptions, 'simulatedBackends'> = {}): Promise<TestPlayground> {
  const dir = mkdtempSync(join(tmpdir(), 'mjbot-playground-'));
  const logs: string[] = [];
  const pg = await startPlayground({
    port: 0,
    storePath: join(dir, 'playground.sqlite'),
    stepMs,
    pollIntervalMs: 200,
    env: { EDIT_MIN_INTERVAL_MS: '0', LOG_LEVEL: 'debug' },
    discord: { rateLimits: false },
    commands: [...commands, echo],
    logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }),
    ...more,
  });
  const close = pg.close.bind(pg);
  return Object.assign(pg, {
    logs,
    async close() {
      await close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** The button of a message with this label (or emoji). */
export function buttonOf(message: any, label: string): any {
  const b = message.components.flatMap((r: any) => r.components).find((c: any) => c.label === label || c.emoji?.name === label);
  if (!b) throw new Error(`no button ${label} on message ${message.id}`);
  return b;
}

/**
 * Waits until the bot has stored the finished task behind a message's buttons. The bot edits the
 * message first and saves its record just after, so a click in between (a few ms; no person is
 * that fast, a script is) would find the old record.
 */
export async function settled(pg: Playground, message: any): Promise<any> {
  const taskId = /^mj:b:([^:]+):/.exec(message.components[0].components[0].custom_id)?.[1];
  const saved = async () => (await pg.app.stores.tasks.get(taskId!))?.task?.status === 'SUCCESS';
  // Checked now and at each `finished` event (reported once the final record is saved).
  await whenReported(pg.app.events, ['finished'], saved, `the record of task ${taskId} saved as finished`, 2000);
  return message;
}

/** /imagine as alice through the control API, then waits for the finished grid. */
export async function finishedGrid(pg: Playground, prompt: string): Promise<any> {
  const r = await pg.control.runCommand({ name: 'imagine', options: { prompt }, user: 'alice' });
  const grid = await pg.discord.waitForMessage((m) => m.id === r.message?.id && m.components.length === 3 && m.attachments.length === 1, 15_000);
  return settled(pg, grid);
}

/** Presses U<n> on a grid as alice and waits for the finished upscale. */
export async function finishedUpscale(pg: Playground, grid: any, n = 1): Promise<any> {
  const r = await pg.control.click({ messageId: grid.id, customId: buttonOf(grid, `U${n}`).custom_id, user: 'alice' });
  const replyId = r.message?.id;
  const up = await pg.discord.waitForMessage((m) => m.id === replyId && m.components.length > 3 && m.attachments.length === 1, 15_000);
  return settled(pg, up);
}
