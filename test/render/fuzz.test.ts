// Property test: every fixture, mutated thousands of times the ways relays and forks mangle a task
// (types swapped, fields missing or null, huge strings, unicode tricks, unknown fields, 30+ buttons,
// wrapped roots). The parser never throws, the renderer never throws in either language, and what
// it would send stays within Discord's limits. A seeded PRNG keeps every run identical.
import { describe, expect, it } from 'vitest';
import { parseCustomId } from '../../src/custom-id.ts';
import { parseSubmitResult, parseTask, parseTaskList, submitOutcome } from '../../src/proxy/parse.ts';
import type { Task } from '../../src/proxy/types.ts';
import { effectiveButtons } from '../../src/render/buttons.ts';
import { checkMessageLimits } from '../../src/render/limits.ts';
import { messageBody, renderTaskView, type ViewContext } from '../../src/render/task-view.ts';
import { preview } from '../../src/preview.ts';
import { createScrubber } from '../../src/secrets.ts';
import { fixtureNames, loadFixture } from './fixtures.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 0x6d6a626f); // "mjbo"; FUZZ_SEED explores other runs
const ROUNDS = 30; // mutated payloads per fixture
const OWNER = '100000000000000001';
const H = 'c0ffee00-1234-4abc-9def-0123456789ab';

/** mulberry32: small, fast and deterministic. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => {
    if (!list.length) throw new Error('fuzz: pick from an empty list');
    return list[int(list.length)]!;
  };
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const LONG = 'x'.repeat(10_000);
/** The longest links Discord still takes (2048), which the content and embeds must make room for. */
const longUrl = (i: number, ext: string) => `https://cdn.example/${String(i).padEnd(2048 - 'https://cdn.example/'.length - ext.length - 1, 'l')}.${ext}`;
const NASTY_TEXT = [
  '',
  ' ',
  '\u200b',
  '\u200b\u200d\ufeff',
  '\u202eevil\u202c RTL override',
  'שלום عالم mixed RTL',
  '🦊👨‍👩‍👧‍👦🏳️‍🌈🇨🇳 emoji',
  '1️⃣ a\n\n2️⃣ b\n\n3️⃣ c\n\n4️⃣ d',
  '## Important tokens\n**a** ~~b~~\n## Shortened prompts\n1️⃣ a\n\n2️⃣ b',
  '\ud83d lone high surrogate',
  'lone low \udc00 surrogate',
  '\u0000\u0001\u0007 control',
  '@everyone <@123456789012345678> <@&1> <#1> https://evil.example/x',
  '`code` **bold** ||spoiler|| [link](https://evil.example)',
  '排队中，前面还有3个任务',
  'In queue, there are 67 tasks ahead',
  'Waiting for window confirm',
  '[Banned prompt detected] Sorry!',
  '可能包含敏感词',
  'https://cdn.example/a.png',
  'https://cdn.example/v.mp4',
  'javascript:alert(1)',
  `https://cdn.example/${'p'.repeat(3000)}.png`,
  '(46%) (fast)',
  '{n} {url} {reason}',
  'NaN',
  '-1',
  '1e999',
  'null',
  'undefined',
  '[object Object]',
  `${'🦊'.repeat(3000)}`,
  `${'*_~`|'.repeat(2500)}`,
  LONG,
];
const STATUSES = ['', 'NOT_START', 'SUBMITTED', 'IN_PROGRESS', 'SUCCESS', 'FAILURE', 'MODAL', 'CANCEL', 'success', ' in_progress ', 'RUNNING', 'FAILED', 'CANCELLED', 'QUEUED', 'DONE', '进行中', 0, 5, null];
const PROGRESS = ['', '0%', '15%', '46%', '100%', '150%', '-5%', '45', 45, 0.45, 45.5, '45.5%', 'abc', '(62%)', null, NaN, [], {}, '100% ', '９０％'];
const ACTIONS = ['IMAGINE', 'UPSCALE', 'VARIATION', 'DESCRIBE', 'SHORTEN', 'VIDEO', 'EDITS', 'EDIT', 'RETEXTURE', 'BLEND', 'SWAP_FACE', 'MODAL', 'HIGH_VARIATION', 'describe', 'shorten', '', 42, null, 'UNKNOWN_FUTURE'];
const EMOJI = ['', '🔄', '🪄', '🖌️', '1️⃣', '#️⃣', 'upscale_1', '<:animate:1183912043823562752>', '<a:spin:1183912043823562753>', '<:bad:12>', '<:x:', ':smile:', '🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊🦊', '\u200d', '\ufe0f', 'a🔄', null, 7, { name: '🔄', id: null }, { name: 'upscale_1', id: '1183912043823562752' }, { name: 'x', id: 1183912043823562752, animated: true }, { id: '1183912043823562752' }, { name: null }, [], ['🔄']];
const CUSTOM_IDS = [
  `MJ::JOB::upsample::1::${H}`, `MJ::JOB::variation::2::${H}`, `MJ::JOB::reroll::0::${H}::SOLO`, `MJ::JOB::upsample_v7_2x_subtle::1::${H}::SOLO`,
  `MJ::JOB::low_variation::1::${H}::SOLO`, `MJ::Inpaint::1::${H}::SOLO`, `MJ::Outpaint::50::1::${H}::SOLO`, `MJ::Outpaint::33::1::${H}::SOLO`, `MJ::CustomZoom::${H}`,
  `MJ::JOB::pan_left::1::${H}::SOLO`, `MJ::JOB::animate_high::1::${H}::SOLO`, `MJ::BOOKMARK::${H}`, 'MJ::Job::PicReader::1', 'MJ::Job::PicReader::all', 'MJ::Picread::Retry',
  'MJ::Job::PromptAnalyzer::3', 'MJ::Job::PromptAnalyzerExtended::1', `MJ::JOB::${'z'.repeat(150)}::1::${H}`, '', '   ', 'x', 123456, null,
];

/** A value of a random, often hostile, shape. */
function garbage(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 2 ? 9 : 12)) {
    case 0: return null;
    case 1: return undefined;
    case 2: return r.pick(NASTY_TEXT);
    case 3: return r.pick([0, -1, 1, 1.5, 1730621826053455, 1320098173412546123, Number.MAX_SAFE_INTEGER, 1e300]);
    case 4: return r.chance(0.5);
    case 5: return '';
    case 6: return String(r.int(1e9));
    case 7: return r.pick(EMOJI);
    case 8: return [];
    case 9: return Array.from({ length: r.int(4) }, () => garbage(r, depth + 1));
    case 10: return Object.fromEntries(Array.from({ length: r.int(4) }, (_, i) => [r.pick(['url', 'name', 'id', 'x', `k${i}`, '__proto__', 'constructor', 'toString']), garbage(r, depth + 1)]));
    default: return { url: r.pick(NASTY_TEXT), nested: { deeper: [garbage(r, depth + 1)] } };
  }
}

/** The same value in another type: number ↔ string, array ↔ object, scalar → wrapped. */
function swapType(v: unknown, r: Rng): unknown {
  if (typeof v === 'number') return r.chance(0.5) ? String(v) : [v];
  if (typeof v === 'string') return v !== '' && Number.isFinite(Number(v)) ? Number(v) : r.chance(0.5) ? { url: v, name: v } : [v];
  if (Array.isArray(v)) return r.chance(0.5) ? Object.fromEntries(v.map((x, i) => [String(i), x])) : JSON.stringify(v);
  if (v && typeof v === 'object') return r.chance(0.5) ? Object.values(v) : JSON.stringify(v);
  return v === null ? 'null' : null;
}

function randomButton(r: Rng, i: number): unknown {
  if (r.chance(0.05)) return garbage(r);
  const b: Record<string, unknown> = {
    customId: r.chance(0.7) ? r.pick(CUSTOM_IDS) : `MJ::JOB::custom_${i}::${'y'.repeat(r.int(200))}`,
    emoji: r.pick(EMOJI),
    label: r.chance(0.3) ? r.pick(NASTY_TEXT) : r.chance(0.2) ? 'L'.repeat(80 + r.int(200)) : `B${i}`,
    type: r.pick([2, '2', 0, null, 5]),
    style: r.pick([2, 3, '3', 0, 5, 99, null, 'SUCCESS']),
  };
  if (r.chance(0.1)) { b.custom_id = b.customId; delete b.customId; }
  if (r.chance(0.1)) delete b[r.pick(Object.keys(b))];
  return b;
}

const FIELD_MUTATIONS: Record<string, (r: Rng) => unknown> = {
  id: (r) => r.pick(['1730621826053455', 1730621826053455, 1320098173412546123, '', ' ', null, 'a'.repeat(41), 'a:b', 'ok_id-1', '١٢٣', 1.5, -1, { id: '1' }, ['1']]),
  status: (r) => r.pick(STATUSES),
  progress: (r) => r.pick(PROGRESS),
  action: (r) => r.pick(ACTIONS),
  buttons: (r) => r.chance(0.15)
    ? r.pick([null, {}, '[]', 'x', JSON.stringify([{ customId: CUSTOM_IDS[0], label: 'U1' }]), [[{ customId: CUSTOM_IDS[1] }]], [{ type: 1, components: [{ type: 2, custom_id: CUSTOM_IDS[0], label: 'U1' }] }]])
    : Array.from({ length: r.pick([0, 1, 5, 9, 16, 25, 30, 31, 60, 120]) }, (_, i) => randomButton(r, i)),
  imageUrl: (r) => r.pick([longUrl(0, 'png'), 'https://cdn.example/a.png', 'https://cdn.example/a.webp?rand=1', { url: 'https://cdn.example/o.png' }, ['https://cdn.example/arr.png'], '', null, 'javascript:alert(1)', '/mj/image/1', `https://cdn.example/${'a'.repeat(3000)}`, 'https://cdn.example/a b.png', 'http://[::1', 'https://cdn.example/%E0%A4%A.png']),
  imageUrls: (r) => r.pick([Array.from({ length: 12 }, (_, i) => longUrl(i, 'png')), null, [], 'https://cdn.example/s.png', [{ url: 'https://cdn.example/0.png', thumbnail: 'x' }, 'https://cdn.example/1.png', null, { url: 5 }], Array.from({ length: 15 }, (_, i) => ({ url: `https://cdn.example/${i}.png` })), { url: 'https://cdn.example/o.png' }, '["https://cdn.example/j.png"]']),
  videoUrl: (r) => r.pick(['', null, 'https://cdn.example/v.mp4', { url: 'https://cdn.example/v.mp4' }, 'ftp://x/y.mp4']),
  videoUrls: (r) => r.pick([Array.from({ length: 12 }, (_, i) => ({ url: longUrl(i, 'mp4') })), null, [], [{ url: 'https://cdn.example/0.mp4' }, { url: 'https://cdn.example/1.mp4' }], ['https://cdn.example/0.mp4'], Array.from({ length: 14 }, (_, i) => `https://cdn.example/${i}.mp4`), 'https://cdn.example/s.mp4', { 0: { url: 'https://cdn.example/0.mp4' } }]),
  failReason: (r) => r.pick([...NASTY_TEXT, null, 12, { message: 'boom' }, ['a', 'b'], '任务超时', '[Invalid parameter] ' + LONG]),
  properties: (r) => r.pick([null, [], 'x', '{"finalPrompt":"a"}', { finalPrompt: r.pick(NASTY_TEXT), numberOfQueues: r.pick([3, '3', -1, 'x', 1e300, 2.5, null]), messageContent: r.pick(['**p** - <@1> (fast)', '(relaxed)', null, 5]), finalZhPrompt: LONG, messageHash: 7 }]),
  submitTime: (r) => r.pick([0, null, '', '1730621826053', 1730621826053, '2024-11-03T08:17:06Z', -5, 1e300, {}]),
  prompt: (r) => r.pick(NASTY_TEXT),
  promptEn: (r) => r.pick(NASTY_TEXT),
  description: (r) => r.pick(NASTY_TEXT),
};

/** One random change to a JSON value: somewhere in it, or at its root. */
function mutate(v: unknown, r: Rng, depth = 0): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && depth < 4 && r.chance(0.85)) {
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    const op = r.int(10);
    if (op < 3 && depth === 0) {
      const [field, mutation] = r.pick(Object.entries(FIELD_MUTATIONS));
      o[field] = mutation(r);
    } else if (op < 4 && keys.length) {
      delete o[r.pick(keys)];
    } else if (op < 5) {
      o[r.pick(['zzUnknown', 'promptFull', 'displays', 'accountFilter', 'customId', 'maskBase64', `x${r.int(100)}`])] = garbage(r);
    } else if (keys.length) {
      const k = r.pick(keys);
      o[k] = r.chance(0.3) ? swapType(o[k], r) : r.chance(0.3) ? garbage(r) : mutate(o[k], r, depth + 1);
    }
    return o;
  }
  if (Array.isArray(v) && v.length && depth < 4 && r.chance(0.8)) {
    const a = [...v];
    const i = r.int(a.length);
    if (r.chance(0.2)) a.splice(i, 1);
    else if (r.chance(0.2)) a.push(garbage(r));
    else a[i] = mutate(a[i], r, depth + 1);
    return a;
  }
  return r.chance(0.5) ? swapType(v, r) : garbage(r, depth);
}

/** A root that is not a plain task: wrapped as relays do, or not an object at all. */
function rewrap(v: unknown, r: Rng): unknown {
  return r.pick([
    () => [v],
    () => [garbage(r), v],
    () => ({ code: 1, description: '成功', result: v }),
    () => ({ code: r.pick([1, '1', 0, 200]), result: [v] }),
    () => ({ data: v }),
    () => ({ data: { records: [v], total: 1 } }),
    () => ({ content: [v], totalElements: 1 }),
    () => ({ code: 4, description: 'task_not_found', result: null }),
    () => r.pick([null, 0, 'x', true, [], {}]),
  ])();
}

const LOCALES = ['en-US', 'zh-CN'] as const;

function contexts(r: Rng): ViewContext[] {
  const base: Omit<ViewContext, 'locale'> = {
    ownerId: OWNER,
    prompt: r.chance(0.7) ? '' : String(r.pick(NASTY_TEXT)),
    ...(r.chance(0.2) ? { label: String(r.pick(NASTY_TEXT)) } : {}),
    ...(r.chance(0.2) ? { queuePosition: r.pick([null, 0, 3, 1e12, -1, 2.5]) } : {}),
    ...(r.chance(0.15) ? { status: r.pick(['TIMEOUT', 'LOST', 'SUCCESS'] as const) } : {}),
    ...(r.chance(0.3) ? { pressed: [r.pick(CUSTOM_IDS) as string, `MJ::JOB::upsample::2::${H}`] } : {}),
    ...(r.chance(0.2) ? { hidden: ['', 'BOOKMARK', 'PicReader', String(r.pick(CUSTOM_IDS))] } : {}),
    media: r.pick(['attach', 'link'] as const),
    // The bot's own Share and 🗑, as a job's own message (both), a copy (Share) or neither.
    ...(r.chance(0.6) ? { controls: { share: r.chance(0.7), remove: r.chance(0.7) } } : {}),
  };
  return LOCALES.map((locale) => ({ ...base, locale }));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first string in a JSON-like value that is not well-formed UTF-16 (Discord would mangle or refuse it). */
function loneSurrogateIn(v: unknown): string | null {
  if (typeof v === 'string') return LONE_SURROGATE.test(v) ? v : null;
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) {
      const found = loneSurrogateIn(x);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Everything a rendered view must satisfy, whatever the task. */
function assertSendable(task: Task | null, c: ViewContext, where: string): void {
  let view;
  try {
    view = renderTaskView(task, c);
  } catch (err) {
    throw new Error(`${where}: renderTaskView threw ${String(err)}`);
  }
  const problems = checkMessageLimits(view);
  if (problems.length) throw new Error(`${where}: ${problems.join('; ')}`);
  const lone = loneSurrogateIn(messageBody(view, view.files.map((f) => f.name)));
  if (lone !== null) throw new Error(`${where}: a lone surrogate reaches Discord in ${JSON.stringify(lone.slice(0, 80))}`);
  if (!view.content.includes(`<@${OWNER}>`)) throw new Error(`${where}: the owner's mention is missing`);
  if (view.allowedMentions.parse.length || view.allowedMentions.users.some((u) => u !== OWNER)) throw new Error(`${where}: pings someone else`);
  // Every button we send finds its way back: our custom_id parses, and points into the task's buttons.
  const buttons = effectiveButtons(task, c.locale);
  for (const b of view.components.flatMap((row) => row.components)) {
    const parsed = parseCustomId(b.custom_id);
    if (!parsed || !task || parsed.kind === 'settings' || parsed.kind === 'privacy' || parsed.taskId !== task.id) throw new Error(`${where}: custom_id ${b.custom_id} does not route back`);
    if (parsed.kind === 'button' && !buttons[parsed.index]) throw new Error(`${where}: custom_id ${b.custom_id} points at no button`);
  }
  for (const f of view.files) if (!/^https?:\/\//.test(f.url)) throw new Error(`${where}: file ${f.url.slice(0, 50)}`);
}

/** Paths to every string in a JSON value (object keys and array indexes). */
function stringPaths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof v === 'string') return [at];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringPaths(x, [...at, i]));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => stringPaths(x, [...at, k]));
  return [];
}

function withStringAt(v: unknown, path: (string | number)[], f: (s: string) => string): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return f(v as string);
  const copy: any = Array.isArray(v) ? [...v] : { ...(v as object) };
  copy[head] = withStringAt(copy[head], rest, f);
  return copy;
}

describe('fuzz: mutated relay payloads', () => {
  const names = fixtureNames();

  it('a configured secret in any string field, in any encoding, never survives parsing or rendering', () => {
    const KEY = 'sk-fuzz-7Hq2Lw9Xe4/Rt6Yu1+Io3Pa5Sd';
    const scrub = createScrubber([KEY]);
    const b64 = (s: string, enc: BufferEncoding = 'base64') => Buffer.from(s).toString(enc);
    const echoes = [KEY, encodeURIComponent(KEY), b64(KEY), b64(`Bearer ${KEY}`, 'base64url'), b64(`user:${KEY}`), `…${KEY.slice(-12)}`];
    // Any ten characters of the key (or of its encodings) in a row are a leak.
    const windows = [KEY, encodeURIComponent(KEY), b64(KEY)].flatMap((s) => Array.from({ length: s.length - 9 }, (_, i) => s.slice(i, i + 10)));
    const ctx: ViewContext = { locale: 'en-US', ownerId: OWNER, prompt: '' };
    let checked = 0;
    for (const name of names) {
      const original = loadFixture(name);
      // Every field gets the key in two of the encodings, in turn, so every encoding reaches every kind of field.
      for (const [n, path] of stringPaths(original).entries()) {
        for (const echo of [echoes[n % echoes.length], echoes[(n + 3) % echoes.length]]) {
          const raw = withStringAt(original, path, (s) => `${s} ${echo}`);
          const task = parseTask(raw, scrub);
          const seen = JSON.stringify([
            task,
            parseTaskList([raw], scrub),
            parseSubmitResult(raw, scrub),
            task && messageBody(renderTaskView(task, ctx)),
            task && messageBody(renderTaskView(task, { ...ctx, locale: 'zh-CN', media: 'link' })),
          ]);
          const leak = windows.find((w) => seen.includes(w));
          if (leak) throw new Error(`${name} ${path.join('.')}: "${leak}" of ${echo} survived`);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(names.length * echoes.length);
  });

  it(`parses and renders ${ROUNDS} mutations of each of the ${names.length} fixtures within Discord's limits, in both languages`, () => {
    const r = prng(SEED);
    let rendered = 0;
    for (const name of names) {
      const original = loadFixture(name);
      for (let round = 0; round < ROUNDS; round++) {
        let raw: unknown = original;
        const steps = 1 + r.int(4);
        for (let s = 0; s < steps; s++) raw = mutate(raw, r);
        if (r.chance(0.1)) raw = rewrap(raw, r);
        // What arrives is JSON: undefined and NaN become null or vanish, lone surrogates and "toString" keys survive.
        raw = raw === undefined ? undefined : JSON.parse(JSON.stringify(raw));
        const where = `${name} #${round}`;
        let task: Task | null = null;
        expect(() => { task = parseTask(raw); }, where).not.toThrow();
        expect(() => parseTaskList(raw), where).not.toThrow();
        expect(() => { const sr = parseSubmitResult(raw); if (sr) submitOutcome(sr); }, where).not.toThrow();
        // What the store keeps and the tracker re-renders must survive a JSON round trip unchanged.
        if (task) expect(JSON.parse(JSON.stringify(task)), where).toEqual(task);
        for (const c of contexts(r)) {
          assertSendable(task, c, `${where} ${c.locale} ${c.media}`);
          rendered++;
        }
        if (round % 4 === 0) expect(() => preview(raw, { locale: r.pick(LOCALES) }), where).not.toThrow();
      }
    }
    expect(rendered).toBe(names.length * ROUNDS * LOCALES.length);
  });

  it('survives targeted extremes: 120 buttons, 10k-character fields everywhere, every status with every progress', () => {
    const r = prng(SEED ^ 0xbeef);
    const base = loadFixture('upscale-success.json') as Record<string, unknown>;
    const huge = {
      ...base,
      prompt: LONG, promptEn: LONG, description: LONG, failReason: LONG,
      buttons: Array.from({ length: 120 }, (_, i) => randomButton(r, i)),
      properties: { finalPrompt: LONG, messageContent: LONG, numberOfQueues: 1e15 },
    };
    const check = (status: unknown, progress: unknown, action: unknown) => {
      const task = parseTask({ ...huge, status, progress, action });
      const c = r.pick(contexts(r));
      assertSendable(task, c, `${String(status)}/${String(progress)}/${String(action)} ${c.locale}`);
    };
    for (const status of STATUSES) {
      for (const progress of PROGRESS) check(status, progress, r.pick(ACTIONS));
      for (const action of ACTIONS) check(status, r.pick(PROGRESS), action);
    }
  });
});
