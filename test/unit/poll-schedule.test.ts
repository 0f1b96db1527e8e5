// The poll schedule's phases (poll-schedule.ts): with phases on, a running task's next read keeps to
// its phase of the moving interval, whatever moment it was read at; off, it is an interval later.
import { describe, expect, it } from 'vitest';
import { PHASES, PollSchedule, phaseOf } from '../../src/tasks/poll-schedule.ts';

const moving = 3_000;
const schedule = (phasedFrom?: number) => new PollSchedule({ intervals: { moving, queued: 10_000, push: 30_000 }, push: false, holds: () => true, phasedFrom });
/** A running task. */
const run = (id: string) => ({ id, status: 'IN_PROGRESS' as const });
const ids = Array.from({ length: 6_000 }, (_, i) => `17${String(1_000_000_000_000 + i * 7919)}`);

describe('poll phases', () => {
  it('a task id has one phase, and ids spread about evenly over them', () => {
    expect(phaseOf(ids[0]!, PHASES)).toBe(phaseOf(ids[0]!, PHASES));
    const counts = new Array<number>(PHASES).fill(0);
    for (const id of ids) counts[phaseOf(id, PHASES)]!++;
    for (const n of counts) {
      expect(n).toBeGreaterThan(ids.length / PHASES - 150);
      expect(n).toBeLessThan(ids.length / PHASES + 150);
    }
  });

  it('off: the next read is an interval after this one; on once as many tasks as `phasedFrom` run', () => {
    const s = schedule(3);
    expect(s.phased).toBe(false);
    expect(s.nextFrom(run(ids[0]!), 1_234_567, moving)).toBe(1_234_567 + moving);
    s.nextFrom(run(ids[1]!), 1_234_567, moving);
    s.nextFrom({ id: ids[4]!, status: 'NOT_START' as const }, 1_234_567, moving); // its place in the queue changed: not running
    s.nextFrom({ id: ids[2]!, status: 'NOT_START' as const }, 1_234_567, 10_000); // waiting in the queue
    expect(s.phased).toBe(false);
    s.nextFrom(run(ids[3]!), 1_234_567, moving);
    expect(s.phased).toBe(true);
    s.forget(ids[3]!);
    expect(s.phased).toBe(false);
  });

  it("on: a running task's next read is on its phase's grid, from a third of an interval early to two thirds late, and stays there when a read comes late", () => {
    const s = schedule(0);
    const step = moving / PHASES;
    for (const id of ids.slice(0, 200)) {
      const offset = phaseOf(id, PHASES) * step;
      for (const now of [1_000_000, 1_000_250, 1_001_999, 1_002_999]) {
        const next = s.nextFrom(run(id), now, moving);
        expect(((next - offset) % moving + moving) % moving).toBe(0);
        expect(next).toBeGreaterThanOrEqual(now + moving - moving / 3);
        expect(next).toBeLessThan(now + moving + (2 * moving) / 3);
        // Read at its time, or up to a third of an interval late: the next is one interval on.
        expect(s.nextFrom(run(id), next, moving)).toBe(next + moving);
        expect(s.nextFrom(run(id), next + moving / 3 - 1, moving)).toBe(next + moving);
      }
    }
    // The queued interval and the push safety net keep their own pace.
    expect(s.nextFrom(run(ids[0]!), 1_000_000, 10_000)).toBe(1_010_000);
    expect(s.nextFrom({ id: ids[0]!, status: 'NOT_START' as const }, 1_000_100, moving)).toBe(1_003_100);
  });

  it("a lump read together spreads over the interval: its next reads come in every phase", () => {
    const s = schedule(0);
    const next = new Set(ids.slice(0, 600).map((id) => s.nextFrom(run(id), 5_000_000, moving)));
    expect(next.size).toBe(PHASES);
    const sorted = [...next].sort((a, b) => a - b);
    expect(sorted.at(-1)! - sorted[0]!).toBe(moving - moving / PHASES);
  });
});
