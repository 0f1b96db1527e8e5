// The scale benchmark's figures (bench/scale-figures.ts) on hand-made records: what counts as a
// task polled twice, a duplicate edit, a progress edit sent while a final result waited.
import { describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../stand-ins/fake-discord.ts';
import { closeRereads, crossProcessReads, duplicateEdits, maxSliding, perWindow, progressWhileFinalWaited, readMinimum } from '../../bench/scale-figures.ts';

const edit = (path: string, content: string, at: number, extra: Partial<RecordedCall> = {}): RecordedCall => ({
  method: 'PATCH', path, query: {}, json: { content, components: [{}] }, files: [], status: 200, at, ...extra,
});
const final = (path: string, at: number) => edit(path, 'fox (Done)', at, { json: { content: 'fox', components: [{}, {}] } });

describe('scale benchmark figures', () => {
  it('counts requests per window of the limit and per sliding second', () => {
    const times = [0, 900, 950, 1000, 1100];
    // the fake's windows: [0, 1000) and [1000, 2000); a sliding second sees 900 … 1100 together
    expect(perWindow(times)).toEqual([3, 2]);
    expect(maxSliding(times)).toBe(4);
  });

  it('a task read by two processes within the interval is a duplicate; by one process it is not', () => {
    expect(crossProcessReads([{ a: [0, 3000] }, { b: [100] }], 3000)).toEqual({ pairs: 0, tasks: 0 });
    expect(crossProcessReads([{ a: [0, 3000] }, { a: [1500] }], 3000)).toEqual({ pairs: 2, tasks: 1 });
    expect(crossProcessReads([{ a: [0] }, { a: [3000] }], 3000)).toEqual({ pairs: 0, tasks: 0 });
  });

  it('re-reads closer than half an interval at the proxy, and the single-process minimum', () => {
    const reads = [{ at: 0, ids: ['a', 'b'] }, { at: 1000, ids: ['a'] }, { at: 3000, ids: ['a', 'b'] }];
    expect(closeRereads(reads, 1500)).toBe(1);
    expect(readMinimum(reads, 3000, 2)).toBe(2); // a, b in the first interval (a twice), a, b in the second
    expect(readMinimum([{ at: 0, ids: ['a'] }, { at: 10, ids: ['b'] }, { at: 20, ids: ['c'] }], 3000, 2)).toBe(2);
  });

  it('an edit to the view already shown, and a result shown twice, are duplicates', () => {
    const m = '/channels/1/messages/2';
    expect(duplicateEdits([edit(m, 'fox (15%)', 0), edit(m, 'fox (46%)', 10), final(m, 20)])).toEqual({ sameView: 0, finalTwice: 0 });
    expect(duplicateEdits([edit(m, 'fox (15%)', 0), edit(m, 'fox (15%)', 10)])).toEqual({ sameView: 1, finalTwice: 0 });
    expect(duplicateEdits([final(m, 0), edit(m, 'other', 5), final(m, 10)]).finalTwice).toBe(1);
    // refused edits do not count
    expect(duplicateEdits([edit(m, 'fox (15%)', 0), edit(m, 'fox (15%)', 10, { status: 429 })]).sameView).toBe(0);
  });

  it('a progress edit arriving between a final entering a queue and its showing counts', () => {
    const calls = [edit('/channels/1/messages/9', 'x (15%)', 50), edit('/channels/1/messages/9', 'x (46%)', 150), final('/channels/1/messages/8', 200)];
    expect(progressWhileFinalWaited(calls, new Map([['t8', 100]]), new Map([['t8', 200]]), 1000)).toBe(1);
    expect(progressWhileFinalWaited(calls, new Map([['t8', 160]]), new Map([['t8', 200]]), 1000)).toBe(0);
    // never shown: it waits until the end of the run
    expect(progressWhileFinalWaited(calls, new Map([['t8', 10]]), new Map(), 1000)).toBe(2);
  });
});
