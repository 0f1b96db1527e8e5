// The push span's report (bench/span.ts measures it in the bot process): the spans split by progress
// and final state, the callbacks' delivery matched to the states the driver produced, and the edits
// the fake Discord saw by what they showed. Printed by bench/run.ts after each push run.
import type { EditCall } from './fakes-client.ts';
import type { BotMeasure } from './protocol.ts';
import type { SpanSample } from './span.ts';
import { Driver, VISIBLE_STATES, percentile, stateShown, type DiscordFigures } from './workload.ts';

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const int = (x: number) => Math.round(x).toLocaleString('en-US');

function table(rows: string[][]): string {
  const width = (column: number) => Math.max(...rows.map((r) => r[column]?.length ?? 0));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(width(i)) : c.padStart(width(i)))).join('   ')).join('\n');
}

/** What printSpans needs of a push run. */
export interface SpanRun {
  durationMs: number;
  span: SpanFigures | null;
  discord: DiscordFigures;
  bot: BotMeasure;
  editsByState: Record<string, number>;
}

export function tally(calls: EditCall[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) {
    if (c.method !== 'PATCH') continue;
    const k = String(stateShown(c) ?? ((c.json as { content?: string } | undefined)?.content ?? '?').slice(0, 40));
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

export interface SpanFigures {
  progress: SpanSample[];
  final: SpanSample[];
  /** State changed at the proxy (the driver) → its callback arrived at the bot's receiver (ms). */
  delivery: number[];
}

export function spanFigures(m: BotMeasure, driver: Driver): SpanFigures {
  const out: SpanFigures = { progress: [], final: [], delivery: [] };
  for (const s of m.spans) {
    const finalAt = driver.changes.get(s.taskId)?.[VISIBLE_STATES];
    (finalAt !== undefined && s.hintAt >= finalAt ? out.final : out.progress).push(s);
  }
  for (const id of driver.finished) {
    const changes = driver.changes.get(id)!;
    const hints = m.hints[id] ?? [];
    for (let k = 1; k <= VISIBLE_STATES; k++) {
      const at = changes[k]!;
      const next = changes[k + 1] ?? Infinity;
      const h = hints.find((x) => x >= at && x < next);
      if (h !== undefined) out.delivery.push(h - at);
    }
  }
  return out;
}

export function printSpans(n: number, r: SpanRun) {
  const s = r.span;
  if (!s) return;
  const all = [...s.progress, ...s.final];
  const pp = (values: number[]) => `${f(percentile(values, 50))} / ${f(percentile(values, 99))} / ${f(Math.max(...values))}`;
  const row = (name: string, pick: (x: SpanSample) => number) => [name, pp(all.map(pick)), pp(s.progress.map(pick)), pp(s.final.map(pick))];
  console.log(`\n── N = ${int(n)}, push: the bot's own span, callback received → edit sent (measured in the bot process; ${int(all.length)} edits), p50 / p99 / max (ms)`);
  console.log(
    table([
      ['', 'all edits', 'progress', 'final (result downloaded, attached)'],
      row('callback received → edit headers written', (x) => x.total),
      row('  hints gathered → read-back sent', (x) => x.gather),
      row('  read-back at the proxy (sent → answer complete)', (x) => x.read),
      row('  answer → edit sent (render, store, download, discord.js queue)', (x) => x.after),
      row('    of which result downloads from the proxy', (x) => x.download),
      row('  the bot alone (total − read-back − downloads)', (x) => x.total - x.read - x.download),
      ['state at the proxy → callback received (the fake proxy, not the bot)', pp(s.delivery), '', ''],
      ['  of the edit\'s wait: handed to undici → headers written', pp(r.bot.patchSocketWait), '', ''],
      ['user-visible: state at the proxy → shown on Discord', pp(r.discord.latencies), pp(r.discord.progressLatencies), pp(r.discord.finalLatencies)],
    ]),
  );
  const w = r.bot.restWaits;
  const sent = Object.entries(r.bot.discordSent).map(([k, v]) => `${k} ${f((v * 1000) / r.durationMs)}/s`).join(', ');
  console.log(`edits at the fake Discord by state shown (0 waiting/queued … ${VISIBLE_STATES} result): ${JSON.stringify(r.editsByState)}; tracker renders / unchanged / coalesced / deferred ${r.bot.tracker.renders} / ${r.bot.tracker.unchanged} / ${r.bot.tracker.coalesced} / ${r.bot.tracker.deferred}`);
  console.log(`Discord requests the bot sent while measured (${f(r.durationMs / 1000)} s): ${sent}`);
  console.log(`discord.js's own rate-limit waits: global (its ${50}/s over every request) ${w.global}×, ${f(w.globalMs / 1000)} s in all; per route ${w.route}×, ${f(w.routeMs / 1000)} s in all`);
}
