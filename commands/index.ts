// The registry: the router and the deploy script read this one list.
import { ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import type { Config } from '../src/config.ts';
import { blend } from './blend.ts';
import { describe } from './describe.ts';
import { edits } from './edits.ts';
import { help } from './help.ts';
import { imagine } from './imagine.ts';
import { info } from './info.ts';
import { privacy } from './privacy.ts';
import { seed } from './seed.ts';
import { settings } from './settings.ts';
import { shorten } from './shorten.ts';
import { swapface } from './swapface.ts';
import { task } from './task.ts';
import { tasks } from './tasks.ts';
import { video } from './video.ts';
import type { Command } from './types.ts';

export const commands: readonly Command[] = [imagine, blend, describe, shorten, video, edits, swapface, seed, task, tasks, settings, info, privacy, help];

/**
 * Where every command may be used (Discord's `contexts`) and through which installs
 * (`integration_types`), from the operator's settings: servers only by default, since a server's
 * allow-lists cannot follow a user into a DM or into a server that did not add the bot. The router
 * checks the same at run time (checkPlace), as registration can lag and interactions can be forged.
 */
export function commandScope(config: Pick<Config, 'ALLOW_DMS' | 'ALLOW_USER_INSTALL'>) {
  const contexts = [InteractionContextType.Guild];
  if (config.ALLOW_DMS) contexts.push(InteractionContextType.BotDM);
  // Other users' DMs and group DMs are reached only through a user install.
  if (config.ALLOW_DMS && config.ALLOW_USER_INSTALL) contexts.push(InteractionContextType.PrivateChannel);
  const integration_types = [ApplicationIntegrationType.GuildInstall];
  if (config.ALLOW_USER_INSTALL) integration_types.push(ApplicationIntegrationType.UserInstall);
  return { contexts, integration_types };
}

/** The bodies to register: each command's definition with the configured modes and scope. */
export function commandDefinitions(list: readonly Command[], config: Pick<Config, 'MJ_MODES' | 'ALLOW_DMS' | 'ALLOW_USER_INSTALL'>) {
  const modes = Object.keys(config.MJ_MODES);
  const scope = commandScope(config);
  return list.map((c) => ({ ...c.definition({ modes }), ...scope }));
}
