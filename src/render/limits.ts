// Discord's message limits (discord-fake.md §B), checked on a rendered view: the renderer keeps
// within them, and the preview tool and tests use this to prove it.
import type { MessageView } from './task-view.ts';

export function checkMessageLimits(view: MessageView): string[] {
  const problems: string[] = [];
  if (view.content.length > 2000) problems.push(`content is ${view.content.length} > 2000 characters`);
  if (view.embeds.length > 10) problems.push('more than 10 embeds');
  let total = 0;
  for (const e of view.embeds) {
    if ((e.title?.length ?? 0) > 256) problems.push('embed title > 256');
    if ((e.description?.length ?? 0) > 4096) problems.push('embed description > 4096');
    total += (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0);
  }
  if (total > 6000) problems.push('embeds total > 6000');
  if (view.components.length > 5) problems.push('more than 5 rows');
  const ids = new Set<string>();
  for (const row of view.components) {
    if (row.components.length > 5) problems.push('more than 5 buttons in a row');
    for (const b of row.components) {
      if (!b.custom_id || b.custom_id.length > 100) problems.push(`bad custom_id ${b.custom_id}`);
      if (ids.has(b.custom_id)) problems.push(`duplicate custom_id ${b.custom_id}`);
      ids.add(b.custom_id);
      if ((b.label?.length ?? 0) > 80) problems.push('label > 80');
      if (!b.label && !b.emoji) problems.push('button with neither label nor emoji');
      if (b.emoji && !b.emoji.id && (!b.emoji.name || /^[\x00-\x7F]+$/.test(b.emoji.name))) problems.push(`unusable emoji ${b.emoji.name}`);
    }
  }
  if (view.files.length > 10) problems.push('more than 10 attachments');
  return problems;
}
