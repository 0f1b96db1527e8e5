// The scale benchmark's figures, computed from what the fakes recorded and what each bot process
// reported (bench/scale.ts). Pure functions: the unit test feeds them hand-made records.
import type { EditCall } from './fakes-client.ts';
import { stateShown, VISIBLE_STATES } from './workload.ts';

/** Requests Discord's global limit binds: the bot token's (not interaction-token routes, not the CDN). */
export const globalBound = (c: Pick<EditCall, 'path'>) => !/^\/(interactions|webhooks)\//.test(c.path) && !c.path.startsWith('/cdn') && !c.path.startsWith('/media');

/**
 * Requests per window of the global limit as the fake Discord models it: a window opens at the first
 * request after the last one closed and lasts `ms`. `times` sorted.
 */
export function perWindow(times: number[], ms = 1_000): number[] {
  const counts: number[] = [];
  let start = -Infinity;
  for (const t of times) {
    if (t - start >= ms) {
      start = t;
      counts.push(0);
    }
    counts[counts.length - 1]!++;
  }
  return counts;
}

/** The most requests in any span of `ms` (sliding: each span starting at a request). `times` sorted. */
export function maxSliding(times: number[], ms = 1_000): number {
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= ms) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

const viewOf = (c: EditCall) => JSON.stringify({ json: c.json ?? null, files: c.files.map((f) => `${f.name}:${f.size}`) });

/**
 * Edits that changed nothing: a message edited (accepted by Discord) to exactly the view its
 * previous accepted edit showed; and results shown more than once (a second accepted edit showing a
 * job's final state, to the same message).
 */
export function duplicateEdits(calls: EditCall[]): { sameView: number; finalTwice: number } {
  const byMessage = new Map<string, EditCall[]>();
  for (const c of calls) {
    if (c.method !== 'PATCH' || c.status >= 300) continue;
    let list = byMessage.get(c.path);
    if (!list) byMessage.set(c.path, (list = []));
    list.push(c);
  }
  let sameView = 0;
  let finalTwice = 0;
  for (const list of byMessage.values()) {
    list.sort((a, b) => a.at - b.at);
    let finals = 0;
    for (let i = 0; i < list.length; i++) {
      if (i > 0 && viewOf(list[i]!) === viewOf(list[i - 1]!)) sameView++;
      if (stateShown(list[i]!) === VISIBLE_STATES) finals++;
    }
    finalTwice += Math.max(0, finals - 1);
  }
  return { sameView, finalTwice };
}

/**
 * Tasks read by two processes: consecutive reads of one task id, by different processes, less than
 * `withinMs` apart (`reads[p]`: process p's reads, id → times). Answers the number of such pairs and
 * of distinct tasks they concern.
 */
export function crossProcessReads(reads: Record<string, number[]>[], withinMs: number): { pairs: number; tasks: number } {
  const all = new Map<string, [number, number][]>();
  reads.forEach((byId, p) => {
    for (const [id, times] of Object.entries(byId)) {
      let list = all.get(id);
      if (!list) all.set(id, (list = []));
      for (const t of times) list.push([t, p]);
    }
  });
  let pairs = 0;
  let tasks = 0;
  for (const list of all.values()) {
    list.sort((a, b) => a[0] - b[0]);
    let hit = false;
    for (let i = 1; i < list.length; i++) {
      if (list[i]![1] !== list[i - 1]![1] && list[i]![0] - list[i - 1]![0] < withinMs) {
        pairs++;
        hit = true;
      }
    }
    if (hit) tasks++;
  }
  return { pairs, tasks };
}

/** One read at the fake proxy: when it arrived and the task ids it asked about. */
export interface ProxyRead {
  at: number;
  ids: string[];
}

/**
 * Reads of one task closer together than `withinMs` at the fake proxy, whoever sent them. With
 * `withinMs` half a poll interval no single owner does that (a task is due a poll interval after its
 * last read, and a pass takes what is due within half of one), so each is a task polled twice.
 */
export function closeRereads(reads: ProxyRead[], withinMs: number): number {
  const last = new Map<string, number>();
  let n = 0;
  for (const r of [...reads].sort((a, b) => a.at - b.at)) {
    for (const id of r.ids) {
      const prev = last.get(id);
      if (prev !== undefined && r.at - prev < withinMs) n++;
      last.set(id, r.at);
    }
  }
  return n;
}

/**
 * Progress edits that reached Discord while a final result waited: an accepted edit showing a
 * progress state (1–4) arriving after some job's final result entered a channel queue (any process:
 * `queuedAt`, job → time) and before that final was shown (`shownAt`, job → time; never shown: the
 * end of the run).
 */
export function progressWhileFinalWaited(calls: EditCall[], queuedAt: Map<string, number>, shownAt: Map<string, number>, end: number): number {
  const spans = [...queuedAt].map(([job, from]) => [from, shownAt.get(job) ?? end] as const).filter(([a, b]) => b > a).sort((a, b) => a[0] - b[0]);
  if (!spans.length) return 0;
  // Merged into disjoint spans, so each edit is looked up once.
  const merged: [number, number][] = [];
  for (const [a, b] of spans) {
    const lastSpan = merged.at(-1);
    if (lastSpan && a <= lastSpan[1]) lastSpan[1] = Math.max(lastSpan[1], b);
    else merged.push([a, b]);
  }
  let n = 0;
  for (const c of calls) {
    if (c.method !== 'PATCH' || c.status >= 300) continue;
    const k = stateShown(c);
    if (k === null || k < 1 || k >= VISIBLE_STATES) continue;
    if (merged.some(([a, b]) => c.at > a && c.at < b)) n++;
  }
  return n;
}

/**
 * The fewest read requests that could have read the same tasks: in each poll interval (fixed windows
 * of `windowMs` from the first read), ceil(distinct task ids read / batch). A task read twice in one
 * interval counts once, and a batch split between processes counts as one: what a single process,
 * reading every task once per interval in full batches, would have needed.
 */
export function readMinimum(reads: ProxyRead[], windowMs: number, batch: number): number {
  const sorted = [...reads].sort((a, b) => a.at - b.at);
  let total = 0;
  let start = -Infinity;
  let ids = new Set<string>();
  for (const r of sorted) {
    if (r.at - start >= windowMs) {
      total += Math.ceil(ids.size / batch);
      ids = new Set();
      start = r.at;
    }
    for (const id of r.ids) ids.add(id);
  }
  return total + Math.ceil(ids.size / batch);
}
