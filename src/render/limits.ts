// Discord's message limits (discord-fake.md §B), checked on a rendered view: the renderer keeps
// within them, and the preview tool and tests use this to prove it. Lengths are counted in UTF-16
// units, which is never less than Discord's count in characters.
import type { APIEmbed } from 'discord.js';
import { isUnicodeEmoji } from './buttons.ts';
import type { MessageView } from './task-view.ts';
import { cutText } from '../util/text.ts';

const EMBED_URL = /^(https?|attachment):\/\/\S+$/;
/** Half of a surrogate pair: JSON carries it, Discord refuses or mangles it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkUrl(problems: string[], what: string, url: string | undefined, files: Set<string>): void {
  if (url === undefined) return;
  if (!EMBED_URL.test(url) || url.length > 2048) problems.push(`${what} is not a usable URL: ${cutText(url, 80)}`);
  else if (url.startsWith('attachment://') && !files.has(url.slice('attachment://'.length))) problems.push(`${what} names a file not attached: ${url}`);
}

function embedSize(e: APIEmbed): number {
  let n = (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0);
  for (const f of e.fields ?? []) n += f.name.length + f.value.length;
  return n;
}

export function checkMessageLimits(view: MessageView): string[] {
  const problems: string[] = [];
  if (view.content.length > 2000) problems.push(`content is ${view.content.length} > 2000 characters`);
  if (LONE_SURROGATE.test(view.content)) problems.push('content is not well-formed unicode');
  if (view.embeds.length > 10) problems.push('more than 10 embeds');
  const fileNames = new Set(view.files.map((f) => f.name));
  if (fileNames.size !== view.files.length) problems.push('two attachments with the same name');
  let total = 0;
  view.embeds.forEach((e, i) => {
    if ((e.title?.length ?? 0) > 256) problems.push(`embed ${i} title > 256`);
    if ([e.title, e.description, e.footer?.text].some((s) => s && LONE_SURROGATE.test(s))) problems.push(`embed ${i} is not well-formed unicode`);
    if ((e.description?.length ?? 0) > 4096) problems.push(`embed ${i} description > 4096`);
    if ((e.footer?.text.length ?? 0) > 2048) problems.push(`embed ${i} footer > 2048`);
    if ((e.fields?.length ?? 0) > 25) problems.push(`embed ${i} has more than 25 fields`);
    for (const f of e.fields ?? []) if (!f.name || f.name.length > 256 || !f.value || f.value.length > 1024) problems.push(`embed ${i} has a bad field`);
    checkUrl(problems, `embed ${i} url`, e.url, fileNames);
    checkUrl(problems, `embed ${i} image`, e.image?.url, fileNames);
    checkUrl(problems, `embed ${i} thumbnail`, e.thumbnail?.url, fileNames);
    total += embedSize(e);
  });
  if (total > 6000) problems.push('embeds total > 6000');
  if (view.components.length > 5) problems.push('more than 5 rows');
  const ids = new Set<string>();
  for (const row of view.components) {
    if (row.components.length < 1 || row.components.length > 5) problems.push(`a row of ${row.components.length} buttons`);
    for (const b of row.components) {
      if (!b.custom_id || b.custom_id.length > 100) problems.push(`bad custom_id ${b.custom_id}`);
      if (ids.has(b.custom_id)) problems.push(`duplicate custom_id ${b.custom_id}`);
      ids.add(b.custom_id);
      if (![1, 2, 3, 4].includes(b.style)) problems.push(`button style ${b.style}`);
      if ((b.label?.length ?? 0) > 80) problems.push('label > 80');
      if (b.label && LONE_SURROGATE.test(b.label)) problems.push('label is not well-formed unicode');
      if (!b.label && !b.emoji) problems.push('button with neither label nor emoji');
      if (b.emoji && !(b.emoji.id ? /^\d{17,20}$/.test(b.emoji.id) : isUnicodeEmoji(b.emoji.name ?? ''))) problems.push(`unusable emoji ${b.emoji.name}`);
    }
  }
  if (view.files.length > 10) problems.push('more than 10 attachments');
  if (view.allowedMentions.users.length > 100) problems.push('more than 100 allowed user mentions');
  return problems;
}
