// How push hints become reads (src/tasks/hints.ts): pure logic around a stand-in target, no I/O.
import { describe, expect, it } from 'vitest';
import { PushHints } from '../../src/tasks/hints.ts';
import { createLogger } from '../../src/logger.ts';
import type { TaskRecord } from '../../src/store/tasks.ts';

const turn = () => new Promise<void>((r) => setImmediate(r));

function hintsWith(readMs: number) {
  const reads: string[][] = [];
  let release: (() => void)[] = [];
  const hints = new PushHints({
    target: {
      held: (id) => ({ taskId: id }) as TaskRecord,
      read: async (records) => {
        reads.push(records.map((r) => r.taskId));
        if (readMs > 0) await new Promise<void>((r) => release.push(r));
      },
    },
    logger: createLogger({ level: 'error', write: () => undefined }),
    delayMs: readMs > 0 ? 5 : undefined,
    stats: { hints: 0, hintsRelayed: 0 },
  });
  hints.open();
  return { hints, reads, finishReads: () => { for (const r of release) r(); release = []; } };
}

describe('push hints', () => {
  it('reads a hint in the next turn of the event loop when no read of hints is under way, those of one turn together', async () => {
    const { hints, reads } = hintsWith(0);
    hints.hint('a');
    hints.hint('b');
    expect(reads).toEqual([]);
    await turn();
    expect(reads).toEqual([['a', 'b']]);
  });

  it('gathers the hints that arrive while a read is under way, and reads them together after the delay', async () => {
    const { hints, reads, finishReads } = hintsWith(1);
    hints.hint('a');
    await turn();
    expect(reads).toEqual([['a']]);
    hints.hint('b');
    hints.hint('c');
    await turn();
    expect(reads).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(reads).toEqual([['a'], ['b', 'c']]);
    finishReads();
    await hints.settle();
  });
});
