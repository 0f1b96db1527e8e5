// The backends: one ProxyClient per configured backend (its key, auth style, speeds and circuit
// breaker), behind the interface the rest of the bot calls. A new job goes to an eligible backend
// (allowed in this server, offering the speed and the endpoint, circuit not open), picked by
// smooth weighted round-robin; a submit the backend surely did not take (failover.ts) goes to the
// next eligible one at once. Everything about an existing job (its buttons, modal, seed, cancel
// and reads) goes to the backend its record names, and only there: a backend that is no longer
// configured is BACKEND_GONE, never another backend (it would not know the job).
import type { Logger } from '../logger.ts';
import type { BackendSpec } from '../config-backends.ts';
import type { ProxyClient } from './client.ts';
import { ProxyError } from './errors.ts';
import { failoverReason, type FailoverReason } from './failover.ts';
import type { CircuitState } from './health.ts';
import { DEFAULT_BACKEND, laneOf, splitLane } from './lanes.ts';
import type { CapabilityMemory, JobPlace } from './task-reader.ts';
import type { CallOptions, ProxyRequestEvent } from './transport.ts';
import type {
  ActionRequest,
  BlendRequest,
  ChangeRequest,
  DescribeRequest,
  EditsRequest,
  ImagineRequest,
  ModalRequest,
  ShortenRequest,
  SimpleChangeRequest,
  SubmitOutcome,
  SwapFaceRequest,
  Task,
  UploadImagesRequest,
  VideoRequest,
} from './types.ts';

export interface PoolMember {
  spec: BackendSpec;
  client: ProxyClient;
}

/** Why a backend's reads fail (the poller's read health, tasks/read-health.ts), as an admin listing shows it (/info): codes only, never a URL, key or host. */
export interface ReadFailure {
  /** When the reads started failing (this process). */
  since: number;
  /** The ProxyError code (`ERROR` for anything else), the HTTP status and the backend's code when there were. */
  code: string;
  status?: number;
  proxyCode?: number;
  /** The replies say the service cannot be reached. */
  outage: boolean;
}

/** One backend as an admin listing shows it (/info): never its key or URL. */
export interface BackendState {
  name: string;
  host: string;
  weight: number;
  modes: string[];
  guilds: string[] | null;
  circuit: CircuitState;
  /** When its breaker opened, while it is not closed. */
  openSince: number | null;
  consecutiveFailures: number;
  /** The last failed call's code (a ProxyErrorCode) and when, in this process. */
  lastError: { code: string; at: number } | null;
  /** Its reads failing in this process (the poller's read health; the earliest of its lanes), else null. */
  reads: ReadFailure | null;
}

export interface BackendPoolOptions {
  members: PoolMember[];
  logger: Logger;
  /** Each backend's memory of what it lacks (the store's capabilities of that backend). */
  capabilities?: (backend: string) => CapabilityMemory;
  now?: () => number;
  /** A new job was sent on to the next backend (metrics). */
  onFailover?: (e: { from: string; reason: FailoverReason }) => void;
}

/** Where a backend's open circuit is told to the other processes (its memory in the store): until when it is open. */
const CIRCUIT_KEY = 'circuit:open-until';

/** A breaker's `onChange` that tells the other processes (pool.ts reads it before routing a new job there). */
export function shareCircuit(memory: () => CapabilityMemory, now: () => number, coolDownMs: number): (open: boolean) => void {
  return (open) => void memory().set(CIRCUIT_KEY, open ? now() + coolDownMs : 0, open ? coolDownMs : 1000).catch(() => undefined);
}

/** How long "this backend has no such endpoint" is trusted (a relay may be upgraded). */
const LACKS_TTL_MS = 24 * 3600_000;
const lacksKey = (route: string) => `capability:lacks:${route}`;
/** The new-job endpoints whose absence is remembered per backend. */
const NEW_JOB_ROUTES = ['imagine', 'blend', 'describe', 'shorten', 'video', 'edits', 'retexture', 'swap-face', 'upload'] as const;
type NewJobRoute = (typeof NEW_JOB_ROUTES)[number];

/** A client's request event, named after its backend's lane (the transport names the default backend's). */
export function relabel(backend: string, e: ProxyRequestEvent): ProxyRequestEvent {
  if (backend === DEFAULT_BACKEND) return e;
  return { ...e, backend: e.backend === DEFAULT_BACKEND ? backend : `${backend}/${e.backend}` };
}

/** Smooth weighted round-robin (nginx's): deterministic, and spread evenly by weight. */
export function pickWeighted<T extends { spec: { name: string; weight: number } }>(candidates: readonly T[], current: Map<string, number>): T | undefined {
  let best: T | undefined;
  let total = 0;
  for (const c of candidates) {
    const w = c.spec.weight;
    total += w;
    current.set(c.spec.name, (current.get(c.spec.name) ?? 0) + w);
    if (!best || current.get(c.spec.name)! > current.get(best.spec.name)!) best = c;
  }
  if (best) current.set(best.spec.name, current.get(best.spec.name)! - total);
  return best;
}

export class BackendPool {
  readonly #members = new Map<string, PoolMember>();
  /** Each backend's speed modes (its MJ_MODES names): asked for every job on every pass, not rebuilt each time. */
  readonly #modes = new Map<string, readonly string[]>();
  readonly #current = new Map<string, number>();
  readonly #lacks = new Map<string, Promise<Set<NewJobRoute>>>();
  readonly #lastError = new Map<string, { code: string; at: number }>();
  #readFailures: () => Map<string, ReadFailure> = () => new Map();

  constructor(private readonly o: BackendPoolOptions) {
    for (const m of o.members) {
      this.#members.set(m.spec.name, m);
      this.#modes.set(m.spec.name, Object.keys(m.spec.modes ?? {}));
    }
  }

  /** The configured backends' names, in configuration order. */
  get names(): string[] {
    return [...this.#members.keys()];
  }

  member(name: string): PoolMember | undefined {
    return this.#members.get(name);
  }

  /** Every speed of every backend. */
  get modes(): string[] {
    return [...new Set(this.o.members.flatMap((m) => Object.keys(m.spec.modes)))];
  }

  /** The backends' hosts, for log lines about reads (never a path or a query). */
  get host(): string {
    return this.o.members.map((m) => m.client.host).join(',');
  }

  get authStyle(): string {
    return [...new Set(this.o.members.map((m) => m.client.authStyle))].join(',');
  }

  /**
   * All circuits together, for the limits check and readiness (read live): available while any
   * backend that takes new jobs is; open when all are.
   */
  readonly health: { readonly state: CircuitState; readonly available: boolean; readonly consecutiveFailures: number } = (() => {
    const takers = () => this.o.members.filter((m) => m.spec.weight > 0).map((m) => m.client.health);
    return {
      get state(): CircuitState {
        const states = takers().map((h) => h.state);
        return states.includes('closed') ? 'closed' : states.includes('half-open') ? 'half-open' : 'open';
      },
      get available() {
        return takers().some((h) => h.available);
      },
      get consecutiveFailures() {
        return Math.min(...takers().map((h) => h.consecutiveFailures));
      },
    };
  })();

  /** Each backend's circuit, by name (metrics, /info). */
  circuits(): Record<string, CircuitState> {
    return Object.fromEntries(this.o.members.map((m) => [m.spec.name, m.client.health.state]));
  }

  /** The poller's read health tells here why reads fail (tasks/read-health.ts), for states(). */
  watchReads(failures: () => Map<string, ReadFailure>): void {
    this.#readFailures = failures;
  }

  /** Every backend's state, in configuration order (an admin listing; jobs running per backend are the store's). */
  states(): BackendState[] {
    // Reads fail per lane (a backend, or one of its speeds): a backend shows its earliest failure.
    const reads = new Map<string, ReadFailure>();
    for (const [lane, f] of this.#readFailures()) {
      const name = this.callOf(lane).backend ?? DEFAULT_BACKEND;
      const known = reads.get(name);
      reads.set(name, !known || f.since < known.since ? { ...f, outage: f.outage || !!known?.outage } : { ...known, outage: known.outage || f.outage });
    }
    return this.o.members.map(({ spec, client }) => ({
      name: spec.name,
      host: client.host,
      weight: spec.weight,
      modes: Object.keys(spec.modes),
      guilds: spec.guilds ?? null,
      circuit: client.health.state,
      openSince: client.health.state === 'closed' ? null : client.health.openedAt,
      consecutiveFailures: client.health.consecutiveFailures,
      lastError: this.#lastError.get(spec.name) ?? null,
      reads: reads.get(spec.name) ?? null,
    }));
  }

  /** A lane's host and key style, for the log lines about its reads. */
  about(lane: string): { host: string; authStyle: string } {
    const m = this.#members.get(this.callOf(lane).backend ?? DEFAULT_BACKEND);
    return m ? { host: m.client.host, authStyle: m.client.authStyle } : { host: '', authStyle: '' };
  }

  /** Whether the backend is configured and its last request got an answer. */
  reachable(name: string): boolean {
    const m = this.#members.get(name);
    return !!m && m.client.health.consecutiveFailures === 0;
  }

  /** The lane of a job (lanes.ts): its record's backend (none: `default`) and speed. */
  laneOf(job: JobPlace): string {
    const backend = job.backend || DEFAULT_BACKEND;
    return laneOf(backend, job.mode, this.#modes.get(backend) ?? []);
  }

  /** The call options of a lane. */
  callOf(lane: string): CallOptions {
    const { backend, mode } = splitLane(lane, this.#modes.get(DEFAULT_BACKEND) ?? []);
    return mode ? { backend, mode } : { backend };
  }

  /** Stops every backend's calls (the bot is stopping). */
  interrupt(): void {
    for (const m of this.o.members) m.client.interrupt();
  }

  async close(): Promise<void> {
    await Promise.all(this.o.members.map((m) => m.client.close()));
  }

  // --- new jobs: routed -------------------------------------------------------------------

  submitImagine(body: ImagineRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#job('imagine', o, (c, call) => c.submitImagine(body, call));
  }
  submitBlend(body: BlendRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#job('blend', o, (c, call) => c.submitBlend(body, call));
  }
  submitDescribe(body: DescribeRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#job('describe', o, (c, call) => c.submitDescribe(body, call));
  }
  submitShorten(body: ShortenRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#job('shorten', o, (c, call) => c.submitShorten(body, call));
  }
  submitEdits(body: EditsRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#job('edits', o, (c, call) => c.submitEdits(body, call));
  }
  submitRetexture(body: EditsRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#job('retexture', o, (c, call) => c.submitRetexture(body, call));
  }
  submitSwapFace(body: SwapFaceRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#job('swap-face', o, (c, call) => c.submitSwapFace(body, call));
  }
  /** A new video (no backend named), or one made from a job's image (its backend named). */
  submitVideo(body: VideoRequest, o?: CallOptions): Promise<SubmitOutcome> {
    if (o?.backend) return this.#tagged(o, (c, call) => c.submitVideo(body, call));
    return this.#job('video', o, (c, call) => c.submitVideo(body, call));
  }
  /** Reference images: to the backend named, or to any that takes new jobs. */
  async uploadDiscordImages(body: UploadImagesRequest, o?: CallOptions): Promise<string[]> {
    if (o?.backend) return this.#on(o, (c, call) => c.uploadDiscordImages(body, call));
    let urls: string[] = [];
    await this.#job('upload', o, async (c, call) => {
      urls = await c.uploadDiscordImages(body, call);
      return { kind: 'accepted', taskId: '', taskIds: [], raw: { code: 1, description: '', result: null, properties: {} } };
    });
    return urls;
  }

  // --- a job's own calls: its backend only ------------------------------------------------

  submitAction(body: ActionRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#tagged(o, (c, call) => c.submitAction(body, call));
  }
  submitModal(body: ModalRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#tagged(o, (c, call) => c.submitModal(body, call));
  }
  submitChange(body: ChangeRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#tagged(o, (c, call) => c.submitChange(body, call));
  }
  submitSimpleChange(body: SimpleChangeRequest, o?: CallOptions): Promise<SubmitOutcome> {
    return this.#tagged(o, (c, call) => c.submitSimpleChange(body, call));
  }
  fetchTask(id: string, o?: CallOptions): Promise<Task | null> {
    return this.#on(o, (c, call) => c.fetchTask(id, call));
  }
  listTasks(ids: string[], o?: CallOptions): Promise<Task[]> {
    return this.#on(o, (c, call) => c.listTasks(ids, call));
  }
  fetchImageSeed(id: string, o?: CallOptions): Promise<string> {
    return this.#on(o, (c, call) => c.fetchImageSeed(id, call));
  }
  cancelTask(id: string, o?: CallOptions): Promise<void> {
    return this.#on(o, (c, call) => c.cancelTask(id, call));
  }

  // --- plumbing ---------------------------------------------------------------------------

  /** A call to the backend `o` names (none: `default`); a backend no longer configured is BACKEND_GONE. */
  async #on<T>(o: CallOptions | undefined, call: (c: ProxyClient, o: CallOptions) => Promise<T>): Promise<T> {
    const name = o?.backend || DEFAULT_BACKEND;
    const m = this.#members.get(name);
    if (!m) throw new ProxyError('BACKEND_GONE', { route: 'pool', backend: name });
    try {
      return await call(m.client, { ...o, backend: name });
    } catch (err) {
      this.#failed(name, err);
      throw err;
    }
  }

  async #tagged(o: CallOptions | undefined, call: (c: ProxyClient, o: CallOptions) => Promise<SubmitOutcome>): Promise<SubmitOutcome> {
    const outcome = await this.#on(o, call);
    return { ...outcome, backend: o?.backend || DEFAULT_BACKEND };
  }

  /** A new job: to the eligible backends in weighted turn, the next one after a refusal that surely took nothing. */
  async #job(route: NewJobRoute, o: CallOptions | undefined, call: (c: ProxyClient, o: CallOptions) => Promise<SubmitOutcome>): Promise<SubmitOutcome> {
    // A speed no backend offers (any more: a job made from an old one's) is no speed: the backend's own base, as before.
    const mode = o?.mode && this.o.members.some((m) => Object.hasOwn(m.spec.modes, o.mode!)) ? o.mode : undefined;
    const guild = o?.guildId ?? null;
    const lacking = await Promise.all(this.o.members.map((m) => this.#lacking(m.spec.name)));
    const allowed = this.o.members.filter((m) => m.spec.weight > 0 && (!m.spec.guilds || (guild !== null && m.spec.guilds.includes(guild))) && (!mode || Object.hasOwn(m.spec.modes, mode)));
    // Those that showed they lack the endpoint are left out, unless none is left (then it is asked again).
    const able = allowed.filter((m) => !lacking[this.o.members.indexOf(m)]!.has(route));
    const eligible = able.length ? able : allowed;
    if (eligible.length === 0) throw new ProxyError('NO_BACKEND', { route: `/mj/submit/${route}`, ...(mode ? { description: mode } : {}) });
    // Open here, or opened by another process (the store says until when).
    const elsewhere = await Promise.all(eligible.map((m) => this.#openElsewhere(m.spec.name)));
    const tried = new Set<string>(eligible.filter((_, i) => elsewhere[i]).map((m) => m.spec.name));
    let last: unknown;
    for (;;) {
      const open = eligible.filter((m) => !tried.has(m.spec.name) && m.client.health.available);
      const m = pickWeighted(open, this.#current);
      if (!m) throw last ?? new ProxyError('UNAVAILABLE', { route: 'health' });
      const name = m.spec.name;
      tried.add(name);
      try {
        const outcome = await call(m.client, { ...o, backend: name, failover: open.length > 1 });
        return { ...outcome, backend: name };
      } catch (err) {
        this.#failed(name, err);
        if (err instanceof ProxyError && err.code === 'UNSUPPORTED') await this.#remember(name, route);
        const reason = failoverReason(err);
        if (!reason || open.length <= 1) throw err;
        last = err;
        this.o.logger.info('backend refused a new job; sending it to the next backend', { backend: name, reason, err });
        this.o.onFailover?.({ from: name, reason });
      }
    }
  }

  /** Names the backend on the error, and remembers it as the backend's last. */
  #failed(name: string, err: unknown): void {
    if (!(err instanceof ProxyError)) return;
    err.locate({ backend: name });
    // The user's own answers (a banned word, a bad parameter) say nothing about the backend.
    if (!['INTERRUPTED', 'BANNED_PROMPT', 'VALIDATION'].includes(err.code)) this.#lastError.set(name, { code: err.code, at: (this.o.now ?? Date.now)() });
  }

  async #openElsewhere(name: string): Promise<boolean> {
    const until = await this.o.capabilities?.(name).get(CIRCUIT_KEY).catch(() => undefined);
    return typeof until === 'number' && until > (this.o.now ?? Date.now)();
  }

  /** The new-job endpoints a backend showed it lacks (read once from its memory). */
  #lacking(name: string): Promise<Set<NewJobRoute>> {
    let known = this.#lacks.get(name);
    if (!known) {
      const memory = this.o.capabilities?.(name);
      known = (async () => {
        const out = new Set<NewJobRoute>();
        if (!memory) return out;
        for (const r of NEW_JOB_ROUTES) if ((await memory.get(lacksKey(r))) === true) out.add(r);
        return out;
      })();
      // A memory that did not answer is asked again next time.
      known.catch(() => this.#lacks.delete(name));
      this.#lacks.set(name, known);
    }
    return known.catch(() => new Set<NewJobRoute>());
  }

  async #remember(name: string, route: NewJobRoute): Promise<void> {
    (await this.#lacking(name)).add(route);
    this.o.logger.info('backend lacks an endpoint; new jobs of this kind go to the others', { backend: name, route });
    await this.o.capabilities?.(name).set(lacksKey(route), true, LACKS_TTL_MS).catch(() => undefined);
  }
}
