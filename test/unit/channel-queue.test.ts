// The channel queue's rules (discord/channel-queue.ts), on its own: finals before the rest, the rest
// before notices and progress, neither while a final waits, one progress per job (the newest, in the oldest one's place), a job's waiting
// progress shed by its final, no progress sent while a final waits, one request per channel at a
// time, and the budget sources (this process's bucket; the fallback when the shared one fails).
import { describe, expect, it } from 'vitest';
import { ChannelQueue, EXPECT_MS, FINALS_AHEAD, SHED, editLane, postLane } from '../../src/discord/channel-queue.ts';
import { FinalsRoom } from '../../src/discord/finals-room.ts';
import { GrantLog, LaneLog, LocalBudget, budgetRate, burstOf, withFallback, type BudgetSource, type Lane } from '../../src/discord/budget.ts';

/** How many tokens a take asks for (a number, or one per lane). */
const count = (want: number | readonly Lane[]) => (typeof want === 'number' ? want : want.length);

/** A budget the test hands tokens out of, one `grant` at a time (its take() is real, not a stand-in for one). */
class Tap implements BudgetSource {
  available = 0;
  async take(want: number | readonly Lane[]) {
    const got = Math.min(count(want), this.available);
    this.available -= got;
    return { got, waitMs: 2 };
  }
}

/**
 * A budget whose first take gives every token asked, but only once `grant()` is called; each later take
 * gives `later(want)` at once.
 */
function firstTakeHeld(later: (want: number | readonly Lane[]) => number) {
  let release: (() => void) | null = null;
  let takes = 0;
  const budget: BudgetSource = {
    take: async (want) => {
      if (++takes > 1) return { got: later(want), waitMs: 1 };
      await new Promise<void>((res) => (release = res));
      return { got: count(want), waitMs: 1 };
    },
  };
  return { budget, grant: () => release?.() };
}

/** A request that records when it was sent and answers `label`. */
function recorder() {
  const sent: string[] = [];
  let wake: (() => void) | null = null;
  const call = (label: string) => async () => {
    sent.push(label);
    wake?.();
    return label;
  };
  /** Resolves once `n` requests were sent. */
  const until = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (sent.length >= n ? resolve() : (wake = check));
      check();
    });
  return { sent, call, until };
}

describe('channel queue', () => {
  it('asks the budget for one token per free channel: five finals in one channel take one, not five', async () => {
    const asked: number[] = [];
    const budget: BudgetSource = {
      take: async (want) => {
        asked.push(count(want));
        return { got: count(want), waitMs: 1 };
      },
    };
    const q = new ChannelQueue({ budget, takeAtMost: 5 });
    const r = recorder();
    const done = [1, 2, 3, 4, 5].map((n) => q.run('final', `j${n}`, 'same', r.call(`final ${n}`)));
    await Promise.all(done);
    expect(r.sent).toHaveLength(5);
    // One request a channel at a time: never more tokens asked for than could go at once.
    expect(Math.max(...asked)).toBe(1);
  });

  it('tells the budget how many final results it has waiting (a shared bucket serves every process\'s finals first)', async () => {
    const told: number[] = [];
    const budget: BudgetSource = {
      take: async (want, finalsWaiting) => {
        told.push(finalsWaiting ?? -1);
        // The first take (as the progress is queued) gets nothing: the finals queue meanwhile.
        return { got: told.length === 1 ? 0 : Math.min(count(want), 1), waitMs: 5 };
      },
    };
    const q = new ChannelQueue({ budget, takeAtMost: 1 });
    const r = recorder();
    const done = [q.run('progress', 'p', 'c0', r.call('p')), q.run('final', 'a', 'c1', r.call('a')), q.run('final', 'b', 'c2', r.call('b'))];
    await Promise.all(done);
    expect(r.sent).toEqual(['a', 'b', 'p']);
    expect(told).toEqual([0, 2, 1, 0]);
  });

  it('once closed (the bot stops), a request is answered SHED at once and nothing is sent', async () => {
    const tap = new Tap();
    const q = new ChannelQueue({ budget: tap });
    const r = recorder();
    const waiting = q.run('final', 'a', 'c1', r.call('final a'));
    q.close();
    expect(await waiting).toBe(SHED);
    expect(await q.run('final', 'b', 'c2', r.call('final b'))).toBe(SHED);
    tap.available = 5;
    expect(r.sent).toEqual([]);
  });

  it('serves final results first, then the rest, then notices, then progress, as tokens come', async () => {
    const tap = new Tap();
    const q = new ChannelQueue({ budget: tap, takeAtMost: 1 });
    const r = recorder();
    const done = [
      q.run('progress', 'a', 'c1', r.call('progress a')),
      q.run('progress', 'b', 'c2', r.call('progress b')),
      q.run('notice', null, 'c5', r.call('ping')),
      q.run('other', null, 'c3', r.call('share')),
      q.run('final', 'c', 'c4', r.call('final c')),
    ];
    tap.available = 5;
    await r.until(5);
    expect(r.sent).toEqual(['final c', 'share', 'ping', 'progress a', 'progress b']);
    expect(await Promise.all(done)).toEqual(['progress a', 'progress b', 'ping', 'share', 'final c']);
    expect(q.stats).toMatchObject({ sent: { final: 1, other: 1, notice: 1, progress: 2 }, shed: 0, progressBeforeFinal: 0 });
  });

  it('keeps one progress per job: the newest, in the place of the first', async () => {
    const tap = new Tap();
    const q = new ChannelQueue({ budget: tap, takeAtMost: 1 });
    const r = recorder();
    const a1 = q.run('progress', 'a', 'c1', r.call('a 10%'));
    const b = q.run('progress', 'b', 'c2', r.call('b 10%'));
    const a2 = q.run('progress', 'a', 'c1', r.call('a 50%'));
    expect(await a1).toBe(SHED);
    tap.available = 2;
    await r.until(2);
    expect(r.sent).toEqual(['a 50%', 'b 10%']);
    expect([await a2, await b]).toEqual(['a 50%', 'b 10%']);
    expect(q.stats.shed).toBe(1);
  });

  it("sheds a job's waiting progress when its final result is queued", async () => {
    const tap = new Tap();
    const q = new ChannelQueue({ budget: tap, takeAtMost: 1 });
    const r = recorder();
    const progress = q.run('progress', 'a', 'c1', r.call('a 90%'));
    const other = q.run('progress', 'b', 'c2', r.call('b 10%'));
    const final = q.run('final', 'a', 'c1', r.call('a done'));
    expect(await progress).toBe(SHED);
    tap.available = 2;
    await r.until(2);
    expect(r.sent).toEqual(['a done', 'b 10%']);
    expect([await final, await other]).toEqual(['a done', 'b 10%']);
  });

  it('supersede: a newer state on its way sheds the waiting progress and keeps its place for it', async () => {
    const tap = new Tap();
    const q = new ChannelQueue({ budget: tap, takeAtMost: 1 });
    const r = recorder();
    const a1 = q.run('progress', 'a', 'c1', r.call('a 10%'));
    const b = q.run('progress', 'b', 'c2', r.call('b 10%'));
    q.supersede('a');
    expect(await a1).toBe(SHED);
    expect(q.waiting).toBe(1);
    const a2 = q.run('progress', 'a', 'c1', r.call('a 60%'));
    tap.available = 2;
    await r.until(2);
    expect(r.sent).toEqual(['a 60%', 'b 10%']);
    await Promise.all([a2, b]);
  });

  it('a place kept for a newer progress that never came is given up', async () => {
    const tap = new Tap();
    const q = new ChannelQueue({ budget: tap, takeAtMost: 1 });
    const r = recorder();
    const a = q.run('progress', 'a', 'c1', r.call('a'));
    const b = q.run('progress', 'b', 'c2', r.call('b'));
    q.supersede('a');
    expect(await a).toBe(SHED);
    tap.available = 1;
    await r.until(1);
    expect(r.sent).toEqual(['b']);
    await b;
    expect(q.waiting).toBe(0);
  });

  it('sends no progress while a final result waits, even one whose channel is busy', async () => {
    const tap = new Tap();
    tap.available = 100;
    const q = new ChannelQueue({ budget: tap });
    const sent: string[] = [];
    let answer!: () => void;
    // The first final's request stays unanswered: its channel is busy, the second final waits for it.
    const first = q.run('final', 'a', 'c1', () => {
      sent.push('final a');
      return new Promise<string>((resolve) => (answer = () => resolve('a')));
    });
    const second = q.run('final', 'b', 'c1', async () => (sent.push('final b'), 'b'));
    const progress = q.run('progress', 'c', 'c2', async () => (sent.push('progress c'), 'c'));
    // Everything that can go has gone: the queue waits on c1 alone.
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual(['final a']);
    answer();
    expect(await first).toBe('a');
    expect(await second).toBe('b');
    expect(await progress).toBe('c');
    expect(sent).toEqual(['final a', 'final b', 'progress c']);
    expect(q.stats.progressBeforeFinal).toBe(0);
  });

  it("a request that fails reaches its caller, and the queue goes on", async () => {
    const tap = new Tap();
    tap.available = 10;
    const q = new ChannelQueue({ budget: tap });
    await expect(q.run('final', 'a', 'c1', async () => Promise.reject(new Error('Unknown Message')))).rejects.toThrow('Unknown Message');
    expect(await q.run('final', 'b', 'c1', async () => 'ok')).toBe('ok');
  });

  it('waits for the budget: with none left, nothing is sent until the source grants a token', async () => {
    const tap = new Tap();
    const q = new ChannelQueue({ budget: tap });
    let sent = false;
    const p = q.run('final', 'a', 'c1', async () => (sent = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toBe(false);
    tap.available = 1;
    expect(await p).toBe(true);
  });
});

describe('channel queue: lanes at their pace', () => {
  it("spends no token on a lane its pace holds: the lane's next request waits for the window while other lanes go, and goes when it opens", async () => {
    const pace = { count: 2, perMs: 150 };
    const budget = new LocalBudget(1000, Date.now, pace);
    const q = new ChannelQueue({ budget });
    const sentAt: [string, number][] = [];
    const t0 = Date.now();
    const call = (label: string) => async () => void sentAt.push([label, Date.now() - t0]);
    const done = [
      q.run('final', 'a', editLane('c1'), call('a')),
      q.run('final', 'b', editLane('c1'), call('b')),
      q.run('final', 'c', editLane('c1'), call('c')),
      q.run('final', 'd', editLane('c2'), call('d')),
      q.run('other', null, postLane('c1'), call('ping')),
    ];
    await Promise.all(done);
    const at = Object.fromEntries(sentAt);
    // c1's third edit only once the first left the window; c2's edit and c1's new message (another bucket) did not wait for it.
    expect(at.c).toBeGreaterThanOrEqual(pace.perMs - 5);
    expect(Math.max(at.d!, at.ping!)).toBeLessThan(pace.perMs / 2);
    expect(sentAt.map(([l]) => l).slice(-1)).toEqual(['c']);
    expect(q.stats.tokensUnused).toBe(0);
  });

  it("serves the lane with the most finals first, not the oldest final: a channel's backlog would otherwise end the burst alone, a final a second", async () => {
    const tap = new Tap();
    let now = 0;
    const q = new ChannelQueue({ budget: tap, takeAtMost: 1, now: () => now });
    const r = recorder();
    const done = [q.run('final', 'lone', editLane('quiet'), r.call('lone'))];
    now = 100;
    for (const n of [1, 2, 3]) done.push(q.run('final', `busy${n}`, editLane('busy'), r.call(`busy ${n}`)));
    tap.available = 1;
    await r.until(1);
    expect(r.sent).toEqual(['busy 1']);
    tap.available = 3;
    await Promise.all(done);
    // Two left in busy (100 - 2 steps) still go before the lone one (0 - 1 step); with one left, it is the lone one's turn.
    expect(r.sent).toEqual(['busy 1', 'busy 2', 'lone', 'busy 3']);
  });

  it('a final waiting for its lane still holds every notice and progress back; the rest goes', async () => {
    const budget = new LocalBudget(1000, Date.now, { count: 1, perMs: 120 });
    const q = new ChannelQueue({ budget });
    const sent: string[] = [];
    const call = (label: string) => async () => void sent.push(label);
    await q.run('final', 'a', editLane('c1'), call('final a'));
    const later = [
      q.run('final', 'b', editLane('c1'), call('final b')),
      q.run('progress', 'p', editLane('c2'), call('progress p')),
      q.run('notice', null, postLane('c3'), call('ping')),
      q.run('other', null, postLane('c4'), call('share')),
    ];
    await new Promise((r) => setTimeout(r, 40));
    expect(sent).toEqual(['final a', 'share']);
    await Promise.all(later);
    expect(sent).toEqual(['final a', 'share', 'final b', 'ping', 'progress p']);
    expect(q.stats.progressBeforeFinal).toBe(0);
  });
});

describe('channel queue: what it counts', () => {
  it('counts what was queued, sent and shed by priority, the waits for the budget, and tells each send with its wait', async () => {
    let now = 0;
    const tap = new Tap();
    const waits: [string, number][] = [];
    const q = new ChannelQueue({ budget: tap, takeAtMost: 1, now: () => now, onSent: (p, ms) => waits.push([p, ms]) });
    const r = recorder();
    const done = [
      q.run('progress', 'a', 'c1', r.call('a 10%')),
      q.run('progress', 'a', 'c1', r.call('a 20%')),
      q.run('final', 'b', 'c2', r.call('b done')),
    ];
    expect(q.waitingBy()).toEqual({ final: 1, other: 0, notice: 0, progress: 1 });
    await new Promise((res) => setTimeout(res, 10)); // no tokens: the queue waits for the budget (2 ms each time)
    now = 250;
    tap.available = 2;
    await r.until(2);
    await Promise.all(done);
    expect(q.stats.queued).toEqual({ final: 1, other: 0, notice: 0, progress: 2 });
    expect(q.stats.sent).toEqual({ final: 1, other: 0, notice: 0, progress: 1 });
    expect(q.stats.shed).toBe(1);
    expect(q.stats.budgetWaits).toBeGreaterThan(0);
    expect(q.stats.budgetWaitMs).toBeGreaterThanOrEqual(250);
    // The progress kept the first one's place, and its time.
    expect(waits).toEqual([['final', 250], ['progress', 250]]);
    expect(q.waitingBy()).toEqual({ final: 0, other: 0, notice: 0, progress: 0 });
  });

  it('a final queued while a progress edit\'s token is being taken goes first: the progress keeps its place, its token is dropped', async () => {
    // The first take (the progress alone) is answered only after the final has come; the rest at once.
    const { budget, grant } = firstTakeHeld((want) => count(want));
    const q = new ChannelQueue({ budget });
    const r = recorder();
    const progress = q.run('progress', 'a', 'c1', r.call('a 10%'));
    const notice = q.run('notice', null, 'c3', r.call('ping'));
    await new Promise((res) => setImmediate(res));
    const final = q.run('final', 'b', 'c2', r.call('b done'));
    grant();
    await Promise.all([progress, notice, final]);
    expect(r.sent).toEqual(['b done', 'ping', 'a 10%']); // then notices before progress, as always
    expect(q.stats.progressBeforeFinal).toBe(0);
    expect(q.stats.tokensUnused).toBe(1); // the first take was the progress's alone (the notice came while it was out)
  });

  it('an expected final holds progress and notices back until it comes (told to the budget as queued), or until EXPECT_MS', async () => {
    const told: number[] = [];
    const budget: BudgetSource = {
      take: async (want, _ready, _yields, queued) => {
        told.push(queued ?? 0);
        return { got: count(want), waitMs: 1 };
      },
    };
    let now = 1_000_000;
    const q = new ChannelQueue({ budget, now: () => now });
    const r = recorder();
    q.expect('b'); // b's state said SUCCESS: its result is being made
    const progress = q.run('progress', 'a', 'c1', r.call('a 10%'));
    const notice = q.run('notice', null, 'c3', r.call('ping'));
    await new Promise((res) => setTimeout(res, 10));
    expect(r.sent).toEqual([]);
    expect(told.at(-1)).toBe(1); // the other processes hold theirs back too
    const final = q.run('final', 'b', 'c2', r.call('b done'));
    await Promise.all([progress, notice, final]);
    expect(r.sent).toEqual(['b done', 'ping', 'a 10%']);
    // One that never comes holds them back EXPECT_MS at most.
    q.expect('c');
    const late = q.run('progress', 'd', 'c1', r.call('d 20%'));
    await new Promise((res) => setTimeout(res, 10));
    expect(r.sent).toHaveLength(3);
    now += EXPECT_MS;
    q.run('other', null, 'c9', r.call('share')); // anything that wakes the queue
    await late;
    expect(r.sent.slice(3)).toEqual(['share', 'd 20%']);
  });

  it('a final handed to discord.js holds progress and notices back until Discord answers it', async () => {
    const q = new ChannelQueue({ budget: { take: async (want) => ({ got: count(want), waitMs: 1 }) } });
    const sent: string[] = [];
    let answer!: () => void;
    const final = q.run('final', 'a', 'c1', () => new Promise<void>((res) => { sent.push('a done'); answer = res; }));
    await new Promise((res) => setTimeout(res, 5));
    expect(sent).toEqual(['a done']);
    const progress = q.run('progress', 'b', 'c2', async () => void sent.push('b 10%'));
    const ping = q.run('notice', null, 'c3', async () => void sent.push('ping'));
    await new Promise((res) => setTimeout(res, 10));
    expect(sent).toEqual(['a done']); // the final is on the wire: what yields waits
    expect(q.holdsProgress).toBe(true);
    answer();
    await Promise.all([final, progress, ping]);
    expect(sent).toEqual(['a done', 'ping', 'b 10%']);
    expect(q.holdsProgress).toBe(false);
  });

  it('room for the next final result: at once below FINALS_AHEAD queued, else when one of them leaves, first come first served', async () => {
    const tap = new Tap();
    const q = new ChannelQueue({ budget: tap });
    const r = recorder();
    let roomAtOnce = false;
    void q.room().then(() => (roomAtOnce = true));
    await new Promise((res) => setImmediate(res));
    expect(roomAtOnce).toBe(true);
    const finals = Array.from({ length: FINALS_AHEAD }, (_, i) => q.run('final', `j${i}`, `c${i}`, r.call(`j${i} done`)));
    const order: string[] = [];
    const first = q.room().then(() => order.push('first'));
    const second = q.room().then(() => order.push('second'));
    await new Promise((res) => setTimeout(res, 20));
    expect(order).toEqual([]);
    tap.available = 1;
    await r.until(1);
    await first;
    expect(order).toEqual(['first']); // one left: room for one
    tap.available = 1;
    await second;
    expect(order).toEqual(['first', 'second']);
    // Closing lets whatever waits go on (nothing more is sent).
    const third = q.room();
    for (let i = 0; i < 2; i++) void q.run('final', `k${i}`, `d${i}`, r.call(`k${i} done`));
    q.close();
    await third;
    await Promise.all(finals);
  });

  it('room let through and never taken (a final made another way) frees its place after a while, and the next goes', async () => {
    let queued = 0;
    const room = new FinalsRoom(2, 30, Date.now, () => queued);
    const got: string[] = [];
    for (const name of ['a', 'b', 'c']) void room.wait().then(() => got.push(name));
    await new Promise((res) => setImmediate(res));
    expect(got).toEqual(['a', 'b']); // two let through: the room is full although none is queued yet
    queued = 1;
    room.came(); // a came and was queued: still full (1 queued, b let through)
    room.give();
    await new Promise((res) => setImmediate(res));
    expect(got).toEqual(['a', 'b']);
    await new Promise((res) => setTimeout(res, 60)); // b never came: its place frees
    expect(got).toEqual(['a', 'b', 'c']);
    room.close();
  });

  it("room lane by lane: a final whose lane holds none goes in beyond the room (up to twice it); as room frees, the least held lane's first", async () => {
    const inLane = new Map<string, number>([['busy', 3]]);
    let queued = 3;
    const room = new FinalsRoom(3, 10_000, Date.now, () => queued, (lane) => inLane.get(lane!) ?? 0);
    const got: string[] = [];
    const wait = (name: string, lane: string | null) => void room.wait(lane).then(() => got.push(name));
    wait('busy 4', 'busy');
    wait('quiet 1', 'quiet');
    wait('quiet 2', 'quiet');
    wait('none 1', null);
    wait('other 1', 'other');
    await new Promise((res) => setImmediate(res));
    // The room (3) is full of busy's: the first of each lane holding none goes in; a second of the same lane, one of no lane and another of a full lane wait.
    expect(got).toEqual(['quiet 1', 'other 1']);
    expect([room.waitingIn('busy'), room.waitingIn('quiet'), room.waitingIn(null), room.waitingIn('other')]).toEqual([1, 1, 1, 0]);
    // Busy's three went; quiet's and other's came and went too: room for three, busy's first (it came first), then quiet's second, then the one of no lane.
    queued = 0;
    inLane.clear();
    room.came('quiet');
    room.came('other');
    room.give();
    await new Promise((res) => setImmediate(res));
    expect(got).toEqual(['quiet 1', 'other 1', 'busy 4', 'quiet 2', 'none 1']);
    // Never more than twice the room held.
    queued = 6;
    wait('late', 'late');
    await new Promise((res) => setImmediate(res));
    expect(got).not.toContain('late');
    room.close();
    // Room for one: the final of the lane holding none goes before an older one of a lane holding two.
    let inTwo = 6; // full: nobody goes in yet
    const two = new FinalsRoom(3, 10_000, Date.now, () => inTwo, (lane) => (lane === 'x' ? 2 : 0));
    const order: string[] = [];
    void two.wait('x').then(() => order.push('x'));
    void two.wait('y').then(() => order.push('y'));
    inTwo = 2;
    two.give();
    await new Promise((res) => setImmediate(res));
    expect(order).toEqual(['y']);
    two.close();
  });

  it('drops the tokens taken for a request shed meanwhile: they never go on top of a later second', async () => {
    const { budget, grant } = firstTakeHeld(() => 0);
    const q = new ChannelQueue({ budget });
    const r = recorder();
    const progress = q.run('progress', 'a', 'c1', r.call('a 10%'));
    await new Promise((res) => setImmediate(res));
    q.supersede('a', true); // its final is on its way: the progress goes while the token is being taken
    expect(await progress).toBe(SHED);
    grant();
    await new Promise((res) => setTimeout(res, 5));
    expect(q.stats.tokensUnused).toBe(1);
    const final = q.run('final', 'a', 'c1', r.call('a done'));
    await new Promise((res) => setTimeout(res, 20));
    expect(r.sent).toEqual([]); // the budget gave nothing more, and the dropped token was not kept
    q.close();
    expect(await final).toBe(SHED);
  });
});

describe('budgets', () => {
  it("this process's bucket at the default 47: 5 saved up at once, then the rate; a late taker gets what it missed; never more than 49 in 1,042 ms", async () => {
    let now = 1_000_000;
    const b = new LocalBudget(47, () => now);
    expect(budgetRate(47)).toEqual({ perSecond: 47, saved: 5, capCount: 49, capMs: 1042 });
    expect(await b.take(100)).toEqual({ got: 5, waitMs: 22 });
    now += 50;
    expect((await b.take(100)).got).toBe(2);
    now += 10;
    expect(await b.take(1)).toEqual({ got: 0, waitMs: 4 }); // 0.82 left of the 2.35 refilled
    // Taking as fast as it gives (every 5 ms) for 3 s, with a taker 300 ms late in the middle.
    now += 10_000;
    const grants: number[] = [];
    let late = 0;
    for (let ms = 0; ms < 3000; ms += 5) {
      now += 5;
      if (ms >= 1500 && ms < 1800) continue;
      const { got } = await b.take(100);
      if (ms === 1800) late = got;
      for (let i = 0; i < got; i++) grants.push(now);
    }
    // What 300 ms of lateness missed (14 at 47 a second), up to the 5 saved up, at once.
    expect(late).toBe(5);
    // The cap: 49 in any 1,042 ms, so in any second too; the steady rate is still 47 (3 s: 5 saved up and
    // 141 refilled, 9 of the 14 the late taker missed lost).
    const most = (ms: number) => Math.max(...grants.map((t) => grants.filter((u) => u >= t && u < t + ms).length));
    expect(most(1042)).toBe(49);
    expect(most(1000)).toBeLessThanOrEqual(49);
    expect(grants.length).toBeGreaterThanOrEqual(134);
    expect(grants.length).toBeLessThanOrEqual(146);
  });

  it("the cap's log: how many more may go, and when the next may", () => {
    const log = new GrantLog({ capCount: 3, capMs: 100 });
    expect(log.room(5, 0)).toBe(3);
    log.add(2, 0);
    expect(log.room(5, 10)).toBe(1);
    expect(log.waitMs(10)).toBe(0);
    log.add(1, 10);
    expect(log.room(1, 20)).toBe(0);
    expect(log.waitMs(20)).toBe(80);
    // The two at 0 leave the window at 100, the one at 10 at 110.
    expect(log.room(5, 100)).toBe(2);
    expect(log.room(5, 110)).toBe(3);
  });

  it("paces each lane: the pace's count within its window, then how long until the oldest leaves it; a paced lane takes no token", async () => {
    let now = 1_000_000;
    const b = new LocalBudget(1000, () => now, { count: 2, perMs: 1000 });
    now += 1000; // the bucket full (40 saved up)
    expect(await b.take(['x', 'x', 'y', null])).toEqual({ got: 4, waitMs: 0, granted: [true, true, true, true], pacedMs: [0, 0, 0, 0] });
    now += 300;
    const r = await b.take(['x', 'y']);
    expect(r.granted).toEqual([false, true]);
    expect(r.pacedMs).toEqual([700, 0]);
    expect(r.got).toBe(1);
    now += 700;
    expect((await b.take(['x'])).granted).toEqual([true]);
    // The log forgets lanes not used for a window.
    const log = new LaneLog({ count: 1, perMs: 10 });
    expect(log.use('z', 0)).toBe(0);
    expect(log.use('z', 5)).toBe(5);
    expect(log.use('z', 10)).toBe(0);
  });

  it("progress leaves a lane's last sends to the rest: 3 of 5 for progress, the final results still get theirs", async () => {
    let now = 1_000_000;
    const b = new LocalBudget(1000, () => now, { count: 5, perMs: 1000, keepForFinals: 2 });
    now += 1000;
    const progress = await b.take(['x', 'x', 'x', 'x'], 0, [true, true, true, true]);
    expect(progress.granted).toEqual([true, true, true, false]);
    expect(progress.pacedMs![3]).toBe(1000);
    // A final in the same lane: two sends left for it (and for anything but progress).
    now += 10;
    expect((await b.take(['x', 'x', 'x'], 1, [false, false, false])).granted).toEqual([true, true, false]);
  });

  it('saves up 40 ms worth, at least one: rate + burst stays under 50 up to a budget of 48', () => {
    expect(burstOf(47)).toBe(2);
    expect(burstOf(40)).toBe(2);
    expect(burstOf(3)).toBe(1);
    for (let rate = 1; rate <= 48; rate++) expect(rate + burstOf(rate)).toBeLessThanOrEqual(50);
  });

  it("a shared budget that fails: this process's own serves, the failure is reported once per outage, the shared one is tried again a second later", async () => {
    let down = true;
    let tries = 0;
    let t = 0;
    const shared: BudgetSource = {
      take: async (want) => {
        tries++;
        if (down) throw new Error('redis away');
        return { got: count(want), waitMs: 0 };
      },
    };
    const errors: unknown[] = [];
    const b = withFallback(shared, new LocalBudget(budgetRate(30, 2), () => t), (err) => errors.push(err), { coolOffMs: 1000, now: () => t });
    expect((await b.take(5)).got).toBe(2);
    expect((await b.take(5)).got).toBe(0);
    expect(errors).toHaveLength(1);
    // Within the cool-off the shared one is not asked (a hanging Redis would hold every take for its timeout).
    expect(tries).toBe(1);
    down = false;
    t += 500;
    expect((await b.take(5)).got).toBeLessThan(5);
    expect(tries).toBe(1);
    t += 500;
    expect((await b.take(5)).got).toBe(5);
    expect(tries).toBe(2);
    down = true;
    await b.take(1);
    expect(errors).toHaveLength(2);
  });
});
