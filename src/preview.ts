// npm run preview -- <task.json|-> [--locale zh-CN] [--owner <user id>] [--prompt "…"] [--link]
// Prints, as JSON, exactly the message (content, embeds, components, allowed mentions,
// attachments) the bot would post for a task object as a relay returns it, plus `problems`: any
// Discord limit the message would break. Accepts any JSON without crashing: what is not a task
// renders as "waiting", which is what the bot would show.
// Exit codes: 0 the preview was printed (even with problems), 1 the input cannot be read or is not
// JSON (one line on stderr), 2 usage.
import { readFileSync } from 'node:fs';
import { parseTask, parseTaskList } from './proxy/parse.ts';
import { messageBody, renderTaskView } from './render/task-view.ts';
import { checkMessageLimits } from './render/limits.ts';
import { cutText } from './util/text.ts';
import { isMain } from './util/is-main.ts';

export interface PreviewOptions {
  locale?: string;
  owner?: string;
  prompt?: string;
  media?: 'attach' | 'link';
  /** Proxy customIds already pressed (shown green). */
  pressed?: string[];
}

export function preview(raw: unknown, opts: PreviewOptions = {}) {
  // A list-by-condition answer (an array, or one wrapped in {code, result} or a page) previews its first task.
  const task = parseTask(raw) ?? parseTaskList(raw)?.[0] ?? null;
  const view = renderTaskView(task, {
    locale: opts.locale ?? 'en-US',
    ownerId: opts.owner ?? '100000000000000001',
    prompt: opts.prompt ?? '',
    media: opts.media ?? 'attach',
    pressed: opts.pressed ?? [],
    // As on a job's own message in a server channel.
    controls: { share: true, remove: true },
  });
  // The body as sent, plus the result URLs the bot downloads and uploads as files[n].
  return { body: messageBody(view, view.files.length ? view.files.map((f) => f.name) : undefined), files: view.files, problems: checkMessageLimits(view) };
}

const VALUED = new Set(['--locale', '--owner', '--prompt']);

function parseArgs(argv: string[]): { file?: string; values: Map<string, string>; link: boolean } {
  const values = new Map<string, string>();
  let file: string | undefined;
  let link = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUED.has(a)) values.set(a, argv[++i] ?? '');
    else if (a === '--link') link = true;
    else if (file === undefined && (a === '-' || !a.startsWith('--'))) file = a;
  }
  return { file, values, link };
}

if (isMain(import.meta.url)) {
  const { file, values, link } = parseArgs(process.argv.slice(2));
  if (!file) {
    console.error('usage: npm run preview -- <task.json|-> [--locale zh-CN] [--owner <id>] [--prompt "…"] [--link]');
    process.exit(2);
  }
  let raw: unknown;
  try {
    // A byte-order mark (Windows editors) is not part of the JSON.
    const text = readFileSync(file === '-' ? 0 : file, 'utf8').replace(/^\uFEFF/, '');
    raw = text.trim() ? JSON.parse(text) : null;
  } catch (err) {
    // One line: Node's JSON errors quote the input, newlines and all.
    const why = cutText((err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' '), 300);
    console.error(`preview: cannot read ${file}: ${why}`);
    process.exit(1);
  }
  const out = preview(raw, { locale: values.get('--locale'), owner: values.get('--owner'), prompt: values.get('--prompt'), media: link ? 'link' : 'attach' });
  console.log(JSON.stringify(out, null, 2));
}
