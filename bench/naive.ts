// The baseline the benchmark compares with: the peers' design. One timer per job; every tick it
// GETs /mj/task/{id}/fetch and edits the message with whatever it got (no change detection, no
// batching); on a final state it uploads the result and stops. The one courtesy: while a job's
// previous edit still waits in discord.js's queue, its new edit replaces the waiting one rather
// than queueing behind it (otherwise memory only grows). It uses the same proxy client, renderer
// and poster as the bot, so only the design differs.
import type { App } from '../src/app.ts';
import { Poster } from '../src/discord/poster.ts';
import { TERMINAL_STATUSES } from '../src/proxy/types.ts';
import { renderTaskView } from '../src/render/task-view.ts';
import type { TaskRecord } from '../src/store/tasks.ts';
import type { NaiveStats } from './protocol.ts';

export class NaiveLoop {
  readonly stats: NaiveStats = { fetches: 0, editsRequested: 0, skipped: 0 };
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #poster: Poster;

  constructor(private readonly app: App) {
    this.#poster = new Poster({
      rest: app.client.rest,
      dispatcher: app.downloads,
      applicationId: app.config.DISCORD_APP_ID,
      logger: app.logger,
      now: app.now,
      resultMaxBytes: app.config.RESULT_MAX_BYTES,
      downloadTimeoutMs: app.config.PROXY_TIMEOUT_MS,
    });
  }

  start(records: TaskRecord[], intervalMs: number): void {
    for (const [i, record] of records.entries()) {
      let done = false;
      let editing = false;
      let next: { view: ReturnType<typeof renderTaskView>; final: boolean } | null = null;
      const edit = async () => {
        editing = true;
        while (next && !done) {
          const { view, final } = next;
          next = null;
          let shown = view;
          let files = final && view.files.length ? await this.#poster.fetchFiles(view) : undefined;
          if (files === null) {
            shown = renderTaskView(record.task, { ...this.app.tracker.viewContext(record), media: 'link' });
            files = undefined;
          }
          await this.#poster.publish(record, shown, files ?? undefined, final).catch(() => undefined);
          if (final) done = true;
        }
        editing = false;
      };
      // Jobs start at different moments: their timers are spread over one interval.
      const first = setTimeout(() => {
        const timer = setInterval(async () => {
          if (done) {
            clearInterval(timer);
            this.#timers.delete(timer);
            return;
          }
          this.stats.fetches++;
          const task = await this.app.proxy.fetchTask(record.taskId).catch(() => null);
          if (!task || done) return;
          record.task = task;
          const final = TERMINAL_STATUSES.has(task.status);
          this.stats.editsRequested++;
          if (next) this.stats.skipped++;
          next = { view: renderTaskView(task, { ...this.app.tracker.viewContext(record), media: 'attach' }), final };
          if (final) {
            clearInterval(timer);
            this.#timers.delete(timer);
          }
          if (!editing) void edit();
        }, intervalMs);
        this.#timers.add(timer);
      }, Math.floor((i / records.length) * intervalMs));
      this.#timers.add(first);
    }
  }

  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}
