// The fakes (stand-ins/fake-proxy.ts, stand-ins/fake-discord.ts) in a process of their own, so the
// bot, the fakes and the benchmark's driver each have their own event loop: at N = 10,000 the fake
// proxy answering reads of 10,000 tasks and sending callbacks, and the fake Discord taking edits,
// delayed each other and the driver when they shared one process, and the benchmark measured that.
//
//   const proxy = await FakesProcess.start({ proxy: { apiKey } });     // bench/fakes-process.ts, forked
//   const discord = await FakesProcess.start({ discord: true });       // the other fake, a process of its own
//   const ids = await proxy.addTasks({ n, prompt, timeline: 'queued', notifyHook });
//   const jobs = await discord.answerSlashCommands(ids.length, 'imagine', options, reply);
//   const at = await proxy.advance(id, 2);   // when the task changed, as the proxy's process saw it
//   const mark = await proxy.mark();         // … measure …
//   const got = await proxy.collect(mark);   // proxy reads, Discord calls, 429s, this process's event-loop delay
//   await proxy.close();
//
// Everything crosses by IPC (structured clone, `serialization: 'advanced'`); nothing here runs in
// the bot's process.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { TimelineSpec } from '../stand-ins/fake-proxy.ts';

const ENTRY = fileURLToPath(new URL('./fakes-process.ts', import.meta.url));

export interface FakesOptions {
  /** Run a fake proxy here (advance: 'manual', the driver moves its tasks). */
  proxy?: { apiKey: string };
  /** Run a fake Discord here (per-route and global rate limits on, as by default); `callbackDeadlineMs` as startFakeDiscord's. */
  discord?: boolean | { callbackDeadlineMs?: number };
}

/** What the fakes of a process are reached at. */
export interface FakesInfo {
  proxy: { baseUrl: string } | null;
  discord: { token: string; appId: string; apiBase: string; guildId: string; channelId: string; aliceId: string } | null;
}

/** A Discord call as the benchmark matches it to states (RecordedCall without its files' bytes). */
export interface EditCall {
  method: string;
  path: string;
  status: number;
  at: number;
  json: unknown;
  files: { name: string; size: number }[];
  /** Discord's error code in the fake's answer, if any. */
  code?: number;
}

/** A slash command the fake Discord created and whose callback was answered (the reply message). */
export interface AnsweredCommand {
  token: string;
  messageId: string;
  channelId: string;
  /** When it was answered (ms). */
  at: number;
}

/** Positions in the fakes' records: what happened after it is collected. */
export interface FakesMark {
  proxyRequests: number;
  discordCalls: number;
  rateLimitHits: number;
}

export interface FakesCollected {
  /** Proxy task reads (list-by-condition, fetch) since the mark. */
  proxyReads: number;
  /** Discord calls since the mark to webhook routes, and every PATCH. */
  calls: EditCall[];
  rateLimitHits: number;
  /** This process's event-loop delay since the mark (ms, resolution 5 ms). */
  lagP99Ms: number;
  lagMaxMs: number;
}

/** Requests to the fakes' process; each answer carries the request's `seq`. */
export type ToFakes =
  | { type: 'start'; options: FakesOptions }
  | { type: 'add-tasks'; n: number; prompt: string; timeline: TimelineSpec; notifyHook?: string }
  | { type: 'answer-commands'; n: number; command: string; options: unknown[]; reply: string; channelIds?: string[] }
  | { type: 'add-channels'; names: string[] }
  | { type: 'calls'; from: number }
  | { type: 'advance'; id: string; steps?: number }
  | { type: 'mark' }
  | { type: 'collect'; mark: FakesMark }
  | { type: 'close' };

export type FromFakes =
  | { type: 'started'; info: FakesInfo }
  | { type: 'ids'; ids: string[] }
  | { type: 'answered'; commands: AnsweredCommand[] }
  | { type: 'channels'; ids: string[] }
  | { type: 'calls'; calls: EditCall[]; next: number; rateLimitHits: number }
  | { type: 'advanced'; at: number }
  | { type: 'mark'; mark: FakesMark }
  | { type: 'collected'; got: FakesCollected }
  | { type: 'closed' }
  | { type: 'error'; message: string };

type Answer<T extends FromFakes['type']> = Extract<FromFakes, { type: T }>;

export class FakesProcess {
  readonly #waiting = new Map<number, (m: FromFakes) => void>();
  #seq = 0;
  info: FakesInfo = { proxy: null, discord: null };

  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: { seq: number; msg: FromFakes }) => {
      const resolve = this.#waiting.get(m.seq);
      this.#waiting.delete(m.seq);
      resolve?.(m.msg);
    });
    child.on('exit', () => {
      for (const resolve of this.#waiting.values()) resolve({ type: 'error', message: 'the fakes process exited' });
      this.#waiting.clear();
    });
  }

  /** Forks bench/fakes-process.ts and starts the fakes asked for in it. */
  static async start(options: FakesOptions): Promise<FakesProcess> {
    const child = fork(ENTRY, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      env: { PATH: process.env.PATH ?? '' },
    });
    const p = new FakesProcess(child);
    p.info = (await p.#ask({ type: 'start', options }, 'started')).info;
    return p;
  }

  get proxy(): NonNullable<FakesInfo['proxy']> {
    if (!this.info.proxy) throw new Error('no fake proxy in this process');
    return this.info.proxy;
  }

  get discord(): NonNullable<FakesInfo['discord']> {
    if (!this.info.discord) throw new Error('no fake Discord in this process');
    return this.info.discord;
  }

  /** Creates `n` tasks at the fake proxy (no HTTP), each with `notifyHook` if given. */
  async addTasks(o: { n: number; prompt: string; timeline: TimelineSpec; notifyHook?: string }): Promise<string[]> {
    return (await this.#ask({ type: 'add-tasks', ...o }, 'ids')).ids;
  }

  /**
   * `n` slash commands at the fake Discord, each answered with `reply` (an interaction response's
   * JSON); the i-th in `channelIds[i]` when given, else in the fake's own channel.
   */
  async answerSlashCommands(n: number, command: string, options: unknown[], reply: string, channelIds?: string[]): Promise<AnsweredCommand[]> {
    return (await this.#ask({ type: 'answer-commands', n, command, options, reply, channelIds }, 'answered')).commands;
  }

  /** New text channels in the fake Discord's guild; their ids. */
  async addChannels(names: string[]): Promise<string[]> {
    return (await this.#ask({ type: 'add-channels', names }, 'channels')).ids;
  }

  /**
   * Every call the fake Discord recorded from position `from` on (all routes, files without their
   * bytes), the position after them, and the 429s it answered so far. `calls(Infinity)`: only the
   * position and the 429s, nothing copied.
   */
  async calls(from: number): Promise<{ calls: EditCall[]; next: number; rateLimitHits: number }> {
    return this.#ask({ type: 'calls', from }, 'calls');
  }

  /** Moves a task `steps` states on (default 1); resolves with when it changed (Date.now() there). */
  async advance(id: string, steps?: number): Promise<number> {
    return (await this.#ask({ type: 'advance', id, steps }, 'advanced')).at;
  }

  /** Positions in the records from which collect() counts; starts this process's event-loop monitor. */
  async mark(): Promise<FakesMark> {
    return (await this.#ask({ type: 'mark' }, 'mark')).mark;
  }

  async collect(mark: FakesMark): Promise<FakesCollected> {
    return (await this.#ask({ type: 'collect', mark }, 'collected')).got;
  }

  /** Closes the fakes and waits for the process to end (killed after 10 s). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    await Promise.race([this.#ask({ type: 'close' }, 'closed').catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  #ask<T extends FromFakes['type']>(msg: ToFakes, expect: T): Promise<Answer<T>> {
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#waiting.set(seq, (m) => {
        if (m.type === expect) resolve(m as Answer<T>);
        else reject(new Error(`fakes process: ${m.type === 'error' ? m.message : `answered ${m.type} to ${msg.type}`}`));
      });
      this.child.send({ seq, msg });
    });
  }
}

/** The driver's view of a proxy: move a task on, and learn when it changed. */
export interface Advancer {
  advance(id: string, steps?: number): Promise<number>;
}
