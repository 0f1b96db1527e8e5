// The registry: the router and the deploy script read this one list.
import { imagine } from './imagine.ts';
import type { Command } from './types.ts';

export const commands: readonly Command[] = [imagine];
