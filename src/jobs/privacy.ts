// /privacy: what the bot keeps about a user, and deleting it. "Forget me" removes every job record
// the user owns (found by a scan of the records, so none is missed whatever their recent list still
// names; plus the jobs this process follows and their recent list), their recent list and their
// settings. A record whose job still runs is no longer followed (this process lets go of it; another
// process holding it lets go at its next look at the active index, within a third of LEASE_TTL_MS:
// a progress it writes before then brings the record back, a known gap with several processes); its
// running-jobs slot (ids only) stays until the job's deadline, so forgetting cannot make room for
// more jobs than the limit. Buttons on old messages then find no record: "expired". Today's counter for the
// daily limit stays (it is gone within two days), so forgetting cannot reset a limit. Messages in
// Discord are not deleted. A server admin (Manage Server, checked on every click) deletes a
// member's records of jobs made in that server and those jobs' entries in their recent list; not
// their settings (personal, not the server's).
import type { ButtonInteraction, ChatInputCommandInteraction, User } from 'discord.js';
import type { JobsContext } from '../context.ts';
import { resolveLocale } from '../i18n/index.ts';
import { UserInputError } from '../proxy/errors.ts';
import {
  renderForgetConfirm, renderForgotten, renderKept, renderMemberData, renderMemberDeleted, renderPrivacy, type PrivacyFacts, type PrivacyView,
} from '../render/privacy-view.ts';
import { countsUntil, type TaskRecord } from '../store/tasks.ts';
import type { Plan } from './plan.ts';
import { dailyKey } from './quota.ts';
import { isGuildAdmin, isPanelOwner } from './ownership.ts';

const DAY_MS = 24 * 3600_000;

type Panel = ButtonInteraction | ChatInputCommandInteraction;

/** Manage Server (or Administrator) in the server the interaction comes from, as Discord computed it (as /settings checks it). */
function requireAdmin(i: Panel): string {
  if (!i.guildId) throw new UserInputError('PRIVACY_SERVER_ONLY');
  if (!isGuildAdmin(i)) throw new UserInputError('PRIVACY_ADMIN_ONLY');
  return i.guildId;
}

/** A panel belongs to whoever opened it (Discord names them on the message). */
function checkPanelOwner(i: ButtonInteraction): void {
  if (!isPanelOwner(i.message, i.user.id)) throw new UserInputError('PRIVACY_NOT_YOURS');
}

const edit = (i: Panel, v: PrivacyView) => i.editReply(v).then(() => undefined);

export class Privacy {
  constructor(private readonly ctx: JobsContext) {}

  get retentionDays(): number {
    return Math.round(this.ctx.stores.tasks.ttlMs / DAY_MS);
  }

  /** Every record of the user's (of one server's jobs when `guildId` is given): the store's scan, and what this process follows. */
  async records(userId: string, guildId?: string): Promise<TaskRecord[]> {
    const mine = (r: TaskRecord | undefined): r is TaskRecord => !!r && r.ownerId === userId && (guildId === undefined || r.guildId === guildId);
    const found = new Map((await this.ctx.stores.tasks.ownedBy(userId, guildId)).map((r) => [r.taskId, r]));
    const listed = (await this.ctx.stores.recent.list(userId)).map((j) => j.taskId).filter((id) => !found.has(id));
    for (const r of await this.ctx.stores.tasks.getMany(listed)) if (mine(r)) found.set(r.taskId, r);
    for (const r of this.ctx.tracker.liveRecords()) if (mine(r) && !found.has(r.taskId)) found.set(r.taskId, r);
    return [...found.values()];
  }

  async facts(userId: string): Promise<PrivacyFacts> {
    const s = this.ctx.stores;
    const [records, recent, settings] = await Promise.all([this.records(userId), s.recent.list(userId), s.prefs.hasUser(userId)]);
    const today = this.ctx.config.USER_MAX_DAILY > 0 ? await s.counters.get(dailyKey(userId, this.ctx.now())) : null;
    return { records: records.length, running: records.filter((r) => countsUntil(r) !== null).length, recent: recent.length, settings, today, retentionDays: this.retentionDays };
  }

  /**
   * Removes records for good: each in its tracker lane, no longer followed here, out of the active
   * index. A job still running at the backend keeps its running-jobs slot (owner and task ids, no
   * prompt) until its deadline: forgetting must not make room for more jobs than the limit allows.
   */
  async #remove(records: readonly TaskRecord[]): Promise<void> {
    const { tracker, stores } = this.ctx;
    for (const r of records) {
      await tracker.withRecord(r.taskId, async () => {
        tracker.forget(r.taskId);
        if (countsUntil(r) === null) return stores.tasks.forget(r);
        await stores.tasks.delete(r.taskId);
        // No longer followed, so no grace past the deadline: it counts until then, and no longer.
        await stores.owners.track(r.ownerId, r.taskId, r.deadlineAt);
      });
    }
  }

  /** Forget me: the user's records, recent list and settings. Answers how many records went. */
  async forgetUser(userId: string): Promise<number> {
    const records = await this.records(userId);
    await this.#remove(records);
    await this.ctx.stores.recent.forget(userId);
    await this.ctx.stores.prefs.forgetUser(userId);
    this.ctx.logger.info('a user’s data was forgotten', { records: records.length });
    return records.length;
  }

  /** An admin's delete: the member's records of jobs made in this server, and those jobs in their recent list. */
  async forgetMember(guildId: string, userId: string): Promise<number> {
    const records = await this.records(userId, guildId);
    await this.#remove(records);
    for (const r of records) await this.ctx.stores.recent.remove(userId, r.taskId);
    this.ctx.logger.info('a member’s data for a server was deleted', { guildId, records: records.length });
    return records.length;
  }

  // --- plans ---------------------------------------------------------------------------------

  /** /privacy [member]: the user's own panel, or (Manage Server) the member's data for this server. */
  open(interaction: ChatInputCommandInteraction, member: User | null): Plan {
    const locale = resolveLocale(interaction.locale);
    const guildId = member ? requireAdmin(interaction) : null;
    return {
      answer: { kind: 'ephemeral' },
      run: async () => {
        if (member && guildId) {
          const records = await this.records(member.id, guildId);
          await edit(interaction, renderMemberData(member.id, { records: records.length, running: records.filter((r) => countsUntil(r) !== null).length }, locale));
        } else await edit(interaction, renderPrivacy(await this.facts(interaction.user.id), locale));
      },
    };
  }

  /** A click on a /privacy panel. */
  click(interaction: ButtonInteraction, action: 'ask' | 'yes' | 'no' | 'del', userId?: string): Plan {
    checkPanelOwner(interaction);
    const locale = resolveLocale(interaction.locale);
    const me = interaction.user.id;
    if (action === 'del') {
      // Checked here, from what Discord computed for this click: never from the panel or the id.
      const guildId = requireAdmin(interaction);
      const target = userId!;
      return { answer: { kind: 'update' }, run: async () => edit(interaction, renderMemberDeleted(target, await this.forgetMember(guildId, target), locale)) };
    }
    return {
      answer: { kind: 'update' },
      run: async () => {
        if (action === 'no') await edit(interaction, renderKept(locale));
        else if (action === 'ask') await edit(interaction, renderForgetConfirm((await this.records(me)).length, locale));
        else await edit(interaction, renderForgotten(await this.forgetUser(me), locale));
      },
    };
  }
}
