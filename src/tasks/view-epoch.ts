// What a stored view hash was made under. A record's `viewHash` is the view of its task rendered
// with the record's own fields (locale, prompt, pressed buttons, queue position …) and with things
// the record does not hold: the renderer itself (this code and its texts), the deadline, the
// buttons its backend no longer offers, whether that backend is in an outage. A record written
// while Discord showed the view of its task carries `viewOf`, the epoch of those: a process that
// adopts it (a restart, a takeover) and finds the same epoch knows the view is current without
// rendering it. At a restart with 10,000 tasks waiting, rendering and hashing every view to find
// it unchanged was the largest part of the first pass.
import { createHash } from 'node:crypto';
import { LOCALES } from '../i18n/index.ts';
import { renderTaskView } from '../render/task-view.ts';
import { placeholderTask, viewHash } from './lifecycle.ts';

let renderer: string | null = null;

/**
 * The renderer's fingerprint: sample views (waiting, running, a finished grid with its buttons, a
 * failure) in every locale. A change to how views look (a release) changes it, so the views a
 * previous version left are looked at again; one that only touches a rarer view does not (those
 * show the new look at their next change).
 */
function rendererFingerprint(): string {
  if (renderer !== null) return renderer;
  const id = '1700000000000001';
  const grid = { ...placeholderTask(id, 'SUCCESS', 'a fox --ar 3:2'), action: 'IMAGINE', progress: '100%', imageUrl: 'https://cdn.example/grid.png' };
  const button = (customId: string, label: string, emoji = '') => ({ customId, label, emoji, type: 2, style: 2 });
  grid.buttons = [button('MJ::JOB::upsample::1::0f0e', 'U1'), button('MJ::JOB::variation::1::0f0e', 'V1'), button('MJ::JOB::reroll::0::0f0e::SOLO', '', '🔄')];
  const tasks = [
    null,
    { ...placeholderTask(id, 'NOT_START', 'a fox'), properties: { numberOfQueues: 3 } },
    { ...placeholderTask(id, 'IN_PROGRESS', 'a fox'), progress: '42%', imageUrl: 'https://cdn.example/preview.webp' },
    grid,
    { ...placeholderTask(id, 'FAILURE', 'a fox'), failReason: 'banned prompt' },
  ];
  const hashes: string[] = [];
  for (const locale of LOCALES) {
    for (const task of tasks) {
      const ctx = { locale, ownerId: '100000000000000001', prompt: 'a fox', queuePosition: task ? null : 2, pressed: [], hidden: [], deadlineMinutes: 10, controls: { share: true, remove: true } };
      hashes.push(viewHash(renderTaskView(task, ctx)));
    }
  }
  return (renderer = hashes.join());
}

/** The epoch of views rendered with this deadline, these hidden buttons and this outage state. */
export function viewEpoch(deadlineMinutes: number, hidden: readonly string[], outage: boolean): string {
  return createHash('sha1').update(JSON.stringify([rendererFingerprint(), deadlineMinutes, hidden, outage])).digest('base64url').slice(0, 12);
}
