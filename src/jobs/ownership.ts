// Who may act on a job the bot tracks: one rule for every custom_id kind and for the commands that
// show a job (/task, /tasks). The owner always; a server admin (Administrator or Manage Server) of
// the server the job belongs to where the kind allows it; anyone only where the job is shown to them
// anyway (its own server channel), never for a job from a DM or another server.
import { PermissionFlagsBits, type Interaction, type PermissionsBitField } from 'discord.js';
import type { TaskRecord } from '../store/tasks.ts';

/**
 * owner: the requester alone. admin: also that server's admins. moderator: also those who may
 * manage that server's messages (🗑). viewer: also anyone in the job's channel.
 */
export type Who = 'owner' | 'admin' | 'moderator' | 'viewer';

/** Manage Server (or Administrator) in the server the interaction comes from, as Discord computed it. */
export function isGuildAdmin(i: { guildId: string | null; memberPermissions?: Readonly<PermissionsBitField> | null }): boolean {
  return !!i.guildId && !!i.memberPermissions?.any([PermissionFlagsBits.Administrator, PermissionFlagsBits.ManageGuild]);
}

/** A member with a server-admin permission, in the server the job belongs to. */
export function isServerAdminOf(record: Pick<TaskRecord, 'guildId'>, i: Interaction): boolean {
  return !!record.guildId && i.guildId === record.guildId && isGuildAdmin(i);
}

/** A member who may manage messages (Manage Messages, or Administrator) in the server the job belongs to. */
export function isModeratorOf(record: Pick<TaskRecord, 'guildId'>, i: Interaction): boolean {
  if (!record.guildId || i.guildId !== record.guildId) return false;
  return !!i.memberPermissions?.any([PermissionFlagsBits.Administrator, PermissionFlagsBits.ManageMessages]);
}

export function mayAct(record: Pick<TaskRecord, 'ownerId' | 'guildId' | 'channelId'> & Partial<Pick<TaskRecord, 'private'>>, i: Interaction, who: Who): boolean {
  if (record.ownerId === i.user.id) return true;
  // A private job is its requester's alone: nobody else ever saw it.
  if (who === 'owner' || record.private) return false;
  if (who === 'moderator') return isModeratorOf(record, i);
  if (isServerAdminOf(record, i)) return true;
  return who === 'viewer' && record.guildId !== null && i.guildId === record.guildId && i.channelId === record.channelId;
}

/** A private panel (/settings, /privacy) is whoever opened it: Discord names them on the message. */
export function isPanelOwner(message: { interactionMetadata?: { user: { id: string } } | null } | null | undefined, userId: string): boolean {
  const owner = message?.interactionMetadata?.user.id;
  return owner === undefined || owner === userId;
}
