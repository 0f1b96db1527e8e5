// The registry: the router and the deploy script read this one list.
import { blend } from './blend.ts';
import { describe } from './describe.ts';
import { edits } from './edits.ts';
import { imagine } from './imagine.ts';
import { seed } from './seed.ts';
import { shorten } from './shorten.ts';
import { swapface } from './swapface.ts';
import { task } from './task.ts';
import { tasks } from './tasks.ts';
import { video } from './video.ts';
import type { Command } from './types.ts';

export const commands: readonly Command[] = [imagine, blend, describe, shorten, video, edits, swapface, seed, task, tasks];
