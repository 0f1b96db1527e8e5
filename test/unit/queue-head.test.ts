// The head of the queue (tasks/queue-head.ts) on its own: its size (a process's part of a batch), and how
// it grows while the whole of it keeps starting, up to MAX_BOOST batches, and falls back when one waits.
import { describe, expect, it } from 'vitest';
import { MAX_BOOST, QueueHead } from '../../src/tasks/queue-head.ts';

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `t${from + i}`);
const never = () => false;

describe('queue head', () => {
  it("is a process's part of one batch, at least one task", () => {
    const head = new QueueHead(50);
    expect(head.size(1)).toBe(50);
    expect(head.size(0.5)).toBe(25);
    expect(head.size(0.001)).toBe(1);
    expect(head.wakeAt).toBe(Infinity);
  });

  it('doubles while every task of a whole head read started, due at once; up to MAX_BOOST batches', () => {
    const head = new QueueHead(10);
    let size = head.size(1);
    for (let i = 0; i < 8; i++) {
      head.passed(ids(size), size, size, never, () => 5_000, 100);
      expect(head.wakeAt).toBe(100);
      size = head.size(1);
    }
    expect(size).toBe(10 * MAX_BOOST);
  });

  it('falls back to one batch, due at its earliest task, when one still waits, when not all were read, or when the head was not full', () => {
    const dueAt = (id: string) => (id === 't1' ? 700 : 900);
    for (const [list, size, read, waiting] of [
      [ids(10), 10, 10, (id: string) => id === 't3'],
      [ids(10), 10, 9, never],
      [ids(4), 10, 4, never],
    ] as const) {
      const head = new QueueHead(10);
      head.passed(ids(10), 10, 10, never, dueAt, 0); // grown to 2 batches
      expect(head.size(1)).toBe(20);
      head.passed(list, size, read, waiting, dueAt, 50);
      expect(head.size(1)).toBe(10);
      expect(head.wakeAt).toBe(700);
    }
  });

  it('an empty head (nothing waits, or push callbacks announce the starts) stays one batch, with no look due', () => {
    const head = new QueueHead(10);
    head.passed([], 0, 0, never, () => 0, 0);
    expect(head.size(1)).toBe(10);
    expect(head.wakeAt).toBe(Infinity);
  });
});
