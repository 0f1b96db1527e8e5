// The final results a channel queue holds (channel-queue.ts), kept per lane in the order they came, and
// served lane by lane: a lane takes one request at a time and at most LANE_PACE.count in its window, so
// only each lane's oldest final can go, and which lanes go first decides when the last final is shown.
// Oldest first alone left some channels with several finals at the end of a burst, each waiting its
// lane's pace (a second apiece) while the budget had nothing else to send. A lane's turn counts its
// backlog: its oldest final stands in line as if queued one lane step (perMs / count) earlier for each
// final the lane has left (held here, or waiting for room: finals-room.ts), so a channel with many
// finals starts early enough to show its last one with the rest; a lone final waits at most its own
// step longer than oldest first would have it wait. Finals bound to no lane (null) go by age.
import { LANE_PACE, type Lane, type LanePace } from './budget.ts';

export interface LineEntry {
  channel: Lane;
  /** When it was queued (ms, the queue's clock). */
  at: number;
  /** Its turn as heads() last worked it out (written there: a sort key that costs no allocation). */
  turn?: number;
}

export class FinalsLine<E extends LineEntry> {
  /** Per lane (null: bound to none), its finals oldest first. */
  readonly #byLane = new Map<Lane, E[]>();
  #size = 0;
  /** How much earlier a lane's turn comes for each final it holds (ms). */
  readonly #step: number;

  constructor(pace: LanePace = LANE_PACE) {
    this.#step = pace.perMs / pace.count;
  }

  get length(): number {
    return this.#size;
  }

  /** Finals held for `lane`. */
  countIn(lane: Lane): number {
    return this.#byLane.get(lane)?.length ?? 0;
  }

  push(e: E): void {
    const line = this.#byLane.get(e.channel);
    if (line) line.push(e);
    else this.#byLane.set(e.channel, [e]);
    this.#size++;
  }

  /** Takes `e` out; false when it is not here. */
  remove(e: E): boolean {
    const line = this.#byLane.get(e.channel);
    const i = line ? line.indexOf(e) : -1;
    if (i < 0) return false;
    line!.splice(i, 1);
    if (!line!.length) this.#byLane.delete(e.channel);
    this.#size--;
    return true;
  }

  /**
   * The finals that may go first, in the order they are served: each lane's oldest (every final bound
   * to no lane), by turn. What waits behind a lane's oldest waits for the same lane. `more`: finals of
   * a lane not held here yet (made as room comes), counted in its backlog.
   */
  heads(more: (lane: Lane) => number = () => 0): E[] {
    const out: E[] = [];
    this.#byLane.forEach((line, lane) => {
      if (lane === null) {
        for (const e of line) {
          e.turn = e.at;
          out.push(e);
        }
      } else {
        const e = line[0]!;
        e.turn = e.at - (line.length + more(lane)) * this.#step;
        out.push(e);
      }
    });
    return out.sort((a, b) => a.turn! - b.turn!);
  }

  /** Everything held, taken out. */
  drain(): E[] {
    const out = [...this.#byLane.values()].flat();
    this.#byLane.clear();
    this.#size = 0;
    return out;
  }
}
