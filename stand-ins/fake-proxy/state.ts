// Everything the fake proxy knows, in one object the route families share: its options, the tasks and their
// timelines, the quirks switched on, the requests and callbacks recorded, uploads, held media answers and timers.
// The methods are the bookkeeping every route needs (create a task, move it along, show it as the wire does);
// what a route answers lives in routes/*.ts.
import { newJobHash, newTaskId } from './content.ts';
import { extensionForMime } from './media.ts';
import { fireNotify } from './notify.ts';
import { DEFAULT_QUIRKS, TASK_NUMERIC_KEYS } from './quirks.ts';
import { TERMINAL_STATUSES, applyStep, buildSteps, failReasonOf, newTaskJson } from './tasks.ts';
import type { NewTaskInit, TaskContext } from './tasks.ts';
import type {
  AdvanceMode,
  AuthStyle,
  FakeProxyOptions,
  FakeTask,
  NotificationRecord,
  Quirks,
  RecordedProxyRequest,
  TaskJson,
  TimelineSpec,
} from './types.ts';

/** What createTask takes besides the wire fields. */
export type TaskExtra = Partial<Pick<FakeTask, 'parentId' | 'modal' | 'sourceUrl' | 'index' | 'resultPrompts' | 'videoCount'>>;

export interface RequestWaiter {
  pred: (r: RecordedProxyRequest) => boolean;
  resolve: (r: RecordedProxyRequest) => void;
}

export class FakeProxyState {
  // ───────────── configuration
  readonly apiKey: string | null;
  readonly authStyles: AuthStyle[];
  readonly advanceMode: AdvanceMode;
  /** Pictures of the prompt instead of solid squares (the playground). */
  readonly placeholders: boolean;
  /** 'http://127.0.0.1:PORT', known once the server listens. */
  baseUrl = '';

  // ───────────── what tests read
  requests: RecordedProxyRequest[] = [];
  notifications: NotificationRecord[] = [];
  readonly tasks = new Map<string, FakeTask>();
  quirks: Quirks = { ...DEFAULT_QUIRKS, rejectActions: [] };

  // ───────────── scripting and bookkeeping
  /** Timelines for the next submitted tasks, oldest first. */
  timelines: TimelineSpec[] = [];
  readonly waiters = new Set<RequestWaiter>();
  /** notifyHook POSTs in flight: close() waits for them. */
  readonly pendingNotifies = new Set<Promise<void>>();
  /** Uploaded images served under /attachments/<name>. */
  readonly uploads = new Map<string, { mime: string; bytes: Buffer }>();
  private uploadSeq = 0;
  /** Placeholder pictures already drawn (bounded). */
  readonly pictures = new Map<string, Buffer>();

  // ───────────── timers
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  /** Answers held back by quirks.holdMedia ('media') and quirks.holdReads ('reads'). */
  private readonly held = { media: new Set<() => void>(), reads: new Set<() => void>() };
  private ticker: NodeJS.Timeout | null = null;
  closed = false;

  constructor(options: FakeProxyOptions) {
    this.apiKey = options.apiKey === undefined ? 'test-key' : options.apiKey || null;
    this.authStyles = options.authStyles ?? ['bearer', 'raw', 'mj-api-secret'];
    this.advanceMode = options.advance ?? 'on-read';
    this.placeholders = options.placeholders ?? false;
  }

  get mediaHeld(): number {
    return this.held.media.size;
  }

  get readsHeld(): number {
    return this.held.reads.size;
  }

  /** In `{ everyMs }` mode, moves every unfinished task on by itself. */
  startTicker(): void {
    if (typeof this.advanceMode === 'object') {
      this.ticker = setInterval(() => this.advance(), Math.max(1, this.advanceMode.everyMs));
      this.ticker.unref();
    }
  }

  // ───────────── tasks and timelines

  ctx(): TaskContext {
    return { baseUrl: this.baseUrl };
  }

  takeTimeline(): TimelineSpec {
    return this.timelines.shift() ?? 'success';
  }

  createTask(init: Omit<NewTaskInit, 'id' | 'hash'>, extra: TaskExtra = {}): FakeTask {
    const id = newTaskId();
    const hash = newJobHash();
    const task: FakeTask = {
      id,
      json: newTaskJson({ ...init, id, hash }, Date.now()),
      kind: init.kind,
      hash,
      steps: [],
      step: -1,
      failReason: '',
      reads: 0,
      notifyHook: init.notifyHook || undefined,
      ...extra,
    };
    this.tasks.set(id, task);
    return task;
  }

  /** Gives the task its timeline and shows step 0 (notifying, as a proxy does on SUBMITTED). */
  startTimeline(task: FakeTask, spec: TimelineSpec): void {
    task.steps = buildSteps(spec, task, this.ctx());
    task.failReason = failReasonOf(spec);
    task.step = -1;
    if (task.steps.length) this.step(task, 1, false);
    else if (task.json.status === 'MODAL') task.json.status = 'SUBMITTED';
    fireNotify(this, task); // the first callback: SUBMITTED 0% (or NOT_START)
  }

  step(task: FakeTask, n: number, notify = true): void {
    for (let i = 0; i < n; i++) {
      const next = task.steps[task.step + 1];
      if (!next) break;
      task.step++;
      const changed = applyStep(task, next, this.ctx(), Date.now());
      if (changed && notify) fireNotify(this, task);
    }
  }

  advance(id?: string, steps = 1): void {
    if (id !== undefined) {
      this.step(this.mustGet(id), steps);
      return;
    }
    for (const t of [...this.tasks.values()]) {
      if (!TERMINAL_STATUSES.has(t.json.status)) this.step(t, steps);
    }
  }

  mustGet(id: string): FakeTask {
    const t = this.tasks.get(id);
    if (!t) throw new Error(`fake-proxy: no task ${id}`);
    return t;
  }

  /** The task as the wire shows it, with the serialisation quirks. */
  wire(task: FakeTask, emptyStatus = false): TaskJson {
    const j = structuredClone(task.json);
    if (this.quirks.zeroTimes) {
      j.submitTime ??= 0;
      j.startTime ??= 0;
      j.finishTime ??= 0;
    }
    if (emptyStatus) j.status = '';
    return j;
  }

  /** Returns a task to a reader (fetch / list) and, in 'on-read' mode, moves it on afterwards. */
  read(task: FakeTask): TaskJson {
    const emptyStatus = this.quirks.emptyStatusFirst && task.reads === 0;
    const json = this.wire(task, emptyStatus);
    task.reads++;
    if (this.advanceMode === 'on-read' && !emptyStatus) this.step(task, 1);
    return json;
  }

  /** Keys of a task answer written as JSON numbers (quirks.numericIds), or null. */
  numericTaskKeys(): string[] | null {
    return this.quirks.numericIds ? TASK_NUMERIC_KEYS : null;
  }

  // ───────────── uploads and media URLs

  /** Stores an uploaded data URL and returns the URL the fake serves it at. */
  storeUpload(img: { mime: string; bytes: Buffer }): string {
    const name = `${++this.uploadSeq}/upload_${Date.now()}.${extensionForMime(img.mime)}`;
    this.uploads.set(name, img);
    return `${this.baseUrl}/attachments/${name}`;
  }

  mediaUrl(file: string): string {
    return `${this.baseUrl}/cdn/${file}`;
  }

  // ───────────── recorded requests

  record(r: RecordedProxyRequest): void {
    this.requests.push(r);
    for (const w of [...this.waiters]) if (w.pred(r)) w.resolve(r);
  }

  // ───────────── timers: every wait ends on close()

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
        done: resolve,
      };
      this.sleeps.add(entry);
    });
  }

  /** Resolves when answers of this kind are released (quirk switched off, reset() or close()). */
  hold(kind: 'media' | 'reads'): Promise<void> {
    return new Promise<void>((resolve) => this.held[kind].add(resolve));
  }

  /** Releases the held answers of each kind whose quirk is off (every kind: `all`). */
  release(all = false): void {
    const on = { media: this.quirks.holdMedia, reads: this.quirks.holdReads };
    for (const kind of ['media', 'reads'] as const) {
      if (on[kind] && !all) continue;
      for (const release of this.held[kind]) release();
      this.held[kind].clear();
    }
  }

  /** Ends the ticker, the sleeps and held answers: what close() needs before the server closes. */
  stopTimers(): void {
    this.release(true);
    if (this.ticker) clearInterval(this.ticker);
    for (const s of this.sleeps) {
      clearTimeout(s.timer);
      s.done();
    }
    this.sleeps.clear();
  }
}
