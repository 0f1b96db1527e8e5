// npm run preview -- <task.json> [--locale zh-CN] [--owner <user id>] [--prompt "…"]
// Prints, as JSON, exactly the message (content, embeds, components) the bot would post for a
// task object as a relay returns it. Accepts any JSON without crashing: what is not a task
// renders as "waiting", which is what the bot would show.
import { readFileSync } from 'node:fs';
import { parseTask } from './proxy/parse.ts';
import { messageBody, renderTaskView } from './render/task-view.ts';
import { checkMessageLimits } from './render/limits.ts';

export function preview(raw: unknown, opts: { locale?: string; owner?: string; prompt?: string; media?: 'attach' | 'link' } = {}) {
  // A list-by-condition answer (an array) previews its first task.
  const first = Array.isArray(raw) ? raw[0] : raw;
  const task = parseTask(first);
  const view = renderTaskView(task, {
    locale: opts.locale ?? 'en-US',
    ownerId: opts.owner ?? '100000000000000001',
    prompt: opts.prompt ?? '',
    media: opts.media ?? 'attach',
  });
  // The body as sent, plus the result URLs the bot downloads and uploads as files[n].
  return { body: messageBody(view, view.files.length ? view.files.map((f) => f.name) : undefined), files: view.files, problems: checkMessageLimits(view) };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  if (!file) {
    console.error('usage: npm run preview -- <task.json|-> [--locale zh-CN] [--owner <id>] [--prompt "…"] [--link]');
    process.exit(2);
  }
  let raw: unknown;
  try {
    const text = readFileSync(file === '-' ? 0 : file, 'utf8');
    raw = text.trim() ? JSON.parse(text) : null;
  } catch (err) {
    console.error(`preview: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  const out = preview(raw, { locale: arg('--locale'), owner: arg('--owner'), prompt: arg('--prompt'), media: process.argv.includes('--link') ? 'link' : 'attach' });
  console.log(JSON.stringify(out, null, 2));
}
