// Jobs whose final result is on its way (src/discord/expected-finals.ts): each counts until it comes or
// its time runs out; the first to run out wakes the queue once.
import { describe, expect, it } from 'vitest';
import { ExpectedFinals } from '../../src/discord/expected-finals.ts';

describe('ExpectedFinals', () => {
  it('counts each job once, until it comes or its time runs out, in the order they were expected', () => {
    let now = 1_000;
    const e = new ExpectedFinals(5_000, () => now, () => undefined);
    expect(e.add('a')).toBe(true);
    now += 1_000;
    expect(e.add('b')).toBe(true);
    expect(e.add('a')).toBe(false); // already expected: its time still runs from the first
    expect(e.count()).toBe(2);
    now += 4_000; // a's 5 s are out, b has 1 s left
    expect(e.count()).toBe(1);
    e.add('c');
    e.delete('b'); // b's final came
    expect(e.count()).toBe(1);
    now += 5_000;
    expect(e.count()).toBe(0);
    e.close();
  });

  it('wakes its owner once when the first one still expected runs out, then for the next', async () => {
    let now = 0;
    let woken = 0;
    const e = new ExpectedFinals(20, () => now, () => void woken++);
    const wokenTimes = async (n: number) => {
      for (let i = 0; i < 200 && woken < n; i++) await new Promise((r) => setTimeout(r, 5));
      return woken;
    };
    e.add('a');
    now = 10;
    e.add('b');
    expect(e.count()).toBe(2); // a timer for a's end (11 ms from now)
    expect(e.count()).toBe(2); // … set once
    expect(await wokenTimes(1)).toBe(1);
    now = 20; // the clock the owner reads when woken: a is out
    expect(e.count()).toBe(1); // b, a timer for its end now
    expect(await wokenTimes(2)).toBe(2);
    await new Promise((r) => setTimeout(r, 40));
    expect(woken).toBe(2); // nothing more was set
    now = 30;
    expect(e.count()).toBe(0);
    e.close();
  });

  it('expects nothing once closed, and a timer set before does not fire', async () => {
    let woken = 0;
    const e = new ExpectedFinals(20, Date.now, () => void woken++);
    e.add('a');
    expect(e.count()).toBe(1);
    e.close();
    expect(e.add('b')).toBe(false);
    expect(e.count()).toBe(0);
    await new Promise((r) => setTimeout(r, 40));
    expect(woken).toBe(0);
  });
});
