// The finals line (discord/finals-line.ts) on its own: per lane in the order they came, each lane's oldest
// first in line, its turn brought forward by its backlog (one lane step a final), finals of no lane by age.
import { describe, expect, it } from 'vitest';
import { FinalsLine } from '../../src/discord/finals-line.ts';
import { LANE_PACE, type Lane } from '../../src/discord/budget.ts';

const STEP = LANE_PACE.perMs / LANE_PACE.count;
const final = (name: string, channel: Lane, at: number) => ({ name, channel, at });
const names = (es: { name: string }[]) => es.map((e) => e.name);

describe('finals line', () => {
  it("gives each lane's oldest final, every final of no lane, and counts what it holds", () => {
    const line = new FinalsLine<ReturnType<typeof final>>();
    for (const e of [final('a1', 'a', 0), final('a2', 'a', 1), final('b1', 'b', 2), final('dm1', null, 3), final('dm2', null, 4)]) line.push(e);
    expect(line.length).toBe(5);
    expect(names(line.heads()).sort()).toEqual(['a1', 'b1', 'dm1', 'dm2']);
  });

  it("a lane's backlog brings its turn forward one lane step a final: three finals queued later go before a lone older one", () => {
    const line = new FinalsLine<ReturnType<typeof final>>();
    line.push(final('lone', 'quiet', 0));
    for (let i = 1; i <= 3; i++) line.push(final(`busy${i}`, 'busy', STEP));
    // busy: STEP - 3 STEP = -2 STEP; quiet: 0 - STEP.
    expect(names(line.heads())).toEqual(['busy1', 'lone']);
    // After one of busy's goes, two left: -STEP, level with the lone one, which came first.
    expect(line.remove(line.heads()[0]!)).toBe(true);
    expect(names(line.heads())).toEqual(['lone', 'busy2']);
  });

  it('a lone final older than another lane\'s backlog is worth goes first; finals of no lane go by age', () => {
    const line = new FinalsLine<ReturnType<typeof final>>();
    line.push(final('lone', 'quiet', 0));
    line.push(final('dm', null, -1.5 * STEP));
    line.push(final('b1', 'busy', 2.5 * STEP));
    line.push(final('b2', 'busy', 2.5 * STEP));
    // quiet: -STEP; busy: 2.5 STEP - 2 STEP = 0.5 STEP; dm: -1.5 STEP.
    expect(names(line.heads())).toEqual(['dm', 'lone', 'b1']);
  });

  it("finals not held yet (waiting for room) count in their lane's backlog", () => {
    const line = new FinalsLine<ReturnType<typeof final>>();
    line.push(final('a1', 'a', 0));
    line.push(final('b1', 'b', 0));
    line.push(final('b2', 'b', 0));
    expect(names(line.heads())).toEqual(['b1', 'a1']);
    // a has three more waiting outside: 4 left against b's 2.
    expect(names(line.heads((lane) => (lane === 'a' ? 3 : 0)))).toEqual(['a1', 'b1']);
  });

  it('takes out only what it holds, keeps each lane in order, and drains', () => {
    const line = new FinalsLine<ReturnType<typeof final>>();
    const [x1, x2, x3] = [final('x1', 'x', 0), final('x2', 'x', 1), final('x3', 'x', 2)];
    for (const e of [x1, x2, x3]) line.push(e);
    expect(line.remove(x2)).toBe(true);
    expect(line.remove(x2)).toBe(false);
    expect(line.remove(final('y', 'y', 0))).toBe(false);
    expect(names(line.heads())).toEqual(['x1']);
    line.remove(x1);
    expect(names(line.heads())).toEqual(['x3']);
    expect(names(line.drain())).toEqual(['x3']);
    expect(line.length).toBe(0);
    expect(line.heads()).toEqual([]);
  });
});
