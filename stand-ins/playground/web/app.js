// The playground page: a Discord channel in plain JS. It reads the channel through the server's
// event stream (/api/events) and does everything through the JSON control API (docs/playground.md),
// so what the page can do, a script can do.
import { renderMarkdown } from './markdown.js';

const FLAG_EPHEMERAL = 1 << 6;
const FLAG_LOADING = 1 << 7;

const UI = {
  'en-US': {
    textChannels: 'Text channels', user: 'User', language: 'Language', nextJob: 'Next job', jobSuccess: 'succeeds', jobFailure: 'fails',
    jobQueued: 'is queued first', jobNever: 'never finishes', remix: 'Remix on, the prompt asked after the action (code 21)', restart: 'Restart bot', restarting: 'Restarting…',
    welcomeBody: "Type / to use the bot's commands. Everything here runs on this machine.",
    cancel: 'Cancel', submit: 'Submit', used: 'used', thinking: 'is thinking',
    onlyYou: 'Only you can see this', dismiss: 'Dismiss message', noResponse: 'The application did not respond', optional: 'Optional:',
    commands: 'Commands', noMatch: 'No command matches', upload: 'Upload a file', uploading: 'Uploading…', edited: '(edited)',
    today: 'Today at', online: 'online', stopped: 'stopped', simulated: 'simulated midjourney-proxy', real: 'real backend',
    cannotPlay: 'this browser cannot play it', required: 'Fill in the required options', clicked: 'clicked a button on', submitted: 'submitted a form on',
    directMessages: 'Direct messages', dmWelcomeTitle: 'Your direct messages with mjbot', dmWelcomeBody: 'Results the bot sends you privately (a private job that outlived its 15 minutes) arrive here.',
    welcomeTitleOf: 'Welcome to #{name}!', placeholderOf: 'Message #{name}: type / for a command', placeholderDm: 'Message @mjbot: type / for a command',
    backend: 'Backend', noCancel: 'no cancel route', remixOff: 'Remix off on the account', newApiActions: 'new-api relay (no animate_* actions)', noUploadImages: 'no image upload route',
    backendDown: 'down (refuses connections)', backendWentDown: 'is down: new jobs go to the other backend', backendCameBack: 'is back',
    skip: '⏩ +20 min (interaction tokens expire)', skipped: 'Discord’s clock moved 20 minutes ahead: earlier interaction tokens have expired.',
  },
  'zh-CN': {
    textChannels: '文字频道', user: '用户', language: '语言', nextJob: '下一个任务', jobSuccess: '成功', jobFailure: '失败',
    jobQueued: '先排队', jobNever: '永不结束', remix: '账号开启 Remix，动作之后才要提示词（代码 21）', restart: '重启机器人', restarting: '正在重启…',
    welcomeBody: '输入 / 使用机器人的命令。这里的一切都运行在本机上。',
    cancel: '取消', submit: '提交', used: '使用了', thinking: '正在思考',
    onlyYou: '只有你能看到这条消息', dismiss: '忽略消息', noResponse: '应用程序未响应', optional: '可选：',
    commands: '命令', noMatch: '没有匹配的命令', upload: '上传文件', uploading: '正在上传…', edited: '（已编辑）',
    today: '今天', online: '在线', stopped: '已停止', simulated: '模拟的 midjourney-proxy', real: '真实后端',
    cannotPlay: '浏览器无法播放', required: '请填写必填选项', clicked: '点击了按钮：', submitted: '提交了表单：',
    directMessages: '私信', dmWelcomeTitle: '你与 mjbot 的私信', dmWelcomeBody: '机器人私下发给你的结果（超过 15 分钟的私密任务）会出现在这里。',
    welcomeTitleOf: '欢迎来到 #{name}！', placeholderOf: '给 #{name} 发消息：输入 / 使用命令', placeholderDm: '给 @mjbot 发消息：输入 / 使用命令',
    backend: '后端', noCancel: '没有取消接口', remixOff: '账号未开启 Remix', newApiActions: 'new-api 中转（不支持 animate_* 动作）', noUploadImages: '没有图片上传接口',
    backendDown: '已停止（拒绝连接）', backendWentDown: '已停止：新任务交给另一个后端', backendCameBack: '已恢复',
    skip: '⏩ +20 分钟（交互令牌过期）', skipped: 'Discord 的时钟前进了 20 分钟：之前的交互令牌已过期。',
  },
};

const params = new URLSearchParams(location.search);
const state = {
  me: params.get('user') ?? sessionStorage.getItem('pg.user') ?? 'alice',
  locale: params.get('locale') ?? sessionStorage.getItem('pg.locale') ?? 'en-US',
  users: new Map(),
  actors: [],
  bot: null,
  channel: null, // #general
  channels: [], // every channel of the server (a channel select lists them)
  sidebar: [], // the text channels, then { id: 'dm' }
  current: params.get('channel') ?? sessionStorage.getItem('pg.channel') ?? null, // the channel shown: a text channel's id, or 'dm'
  unread: new Set(),
  commands: [],
  messages: new Map(),
  dismissed: new Set(),
  failedOn: new Map(), // message id → "did not respond" note
  status: 'online',
  backend: 'simulated',
  events: null,
};

const $ = (id) => document.getElementById(id);
const ui = (key) => (UI[state.locale] ?? UI['en-US'])[key] ?? UI['en-US'][key] ?? key;

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'html') e.innerHTML = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error(data.error ?? `HTTP ${res.status}`);
  return data;
}

async function upload(file) {
  const res = await fetch('/api/attachments', {
    method: 'POST',
    headers: { 'x-filename': encodeURIComponent(file.name), 'content-type': file.type || 'application/octet-stream' },
    body: file,
  });
  const data = await res.json();
  if (!res.ok) throw new Error(data.error ?? `HTTP ${res.status}`);
  return data;
}

const actor = () => ({ user: state.me, locale: state.locale, channel: state.current });

/** The sidebar entry a message belongs to: its text channel, or 'dm' (the stream only sends this user's DMs). */
const placeOf = (m) => (state.sidebar.some((c) => c.id === m.channel_id) ? m.channel_id : 'dm');
const currentEntry = () => state.sidebar.find((c) => c.id === state.current) ?? state.sidebar[0];

/** "Next job" scripts one job of the simulated proxy: once something was sent, the menu is back to normal. */
function jobSent() {
  const nj = document.getElementById('next-job');
  if (nj) nj.value = 'success';
}

function toast(text, kind = 'error') {
  const t = $('toast');
  t.textContent = text;
  t.className = kind;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 5000);
}

// ───────────────────────── names, avatars, time

const userName = (id) => {
  const u = state.users.get(id);
  return u ? (u.global_name ?? u.username) : undefined;
};
const names = {
  user: userName,
  channel: (id) => (state.channels ?? []).find((c) => c.id === id)?.name,
  role: (id) => (state.roles ?? []).find((r) => r.id === id)?.name,
};

const PALETTE = ['#5865f2', '#3ba55c', '#faa61a', '#ed4245', '#eb459e', '#747f8d'];
function avatar(user, cls = 'avatar') {
  const isBot = user?.bot;
  const name = user?.username ?? '?';
  const color = isBot ? '#5865f2' : PALETTE[[...name].reduce((a, c) => a + c.charCodeAt(0), 0) % PALETTE.length];
  const e = h('div', { class: cls }, isBot ? 'mj' : name.slice(0, 1).toUpperCase());
  e.style.background = color;
  return e;
}

function when(iso) {
  const d = new Date(iso);
  const time = d.toLocaleTimeString(state.locale, { hour: '2-digit', minute: '2-digit' });
  return new Date().toDateString() === d.toDateString() ? `${ui('today')} ${time}` : d.toLocaleString(state.locale);
}

// ───────────────────────── messages

const compareIds = (a, b) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0);

/** Whether the reader was at the bottom when they last scrolled: then new content keeps the view there. */
let stuck = true;
function atBottom() {
  const box = $('messages');
  return box.scrollHeight - box.scrollTop - box.clientHeight < 40;
}
function toBottom() {
  const box = $('messages');
  box.scrollTop = box.scrollHeight;
}

function upsert(message) {
  const isNew = !state.messages.has(message.id);
  state.messages.set(message.id, message);
  if (placeOf(message) !== state.current) {
    if (isNew) {
      state.unread.add(placeOf(message));
      renderSidebar();
    }
    return;
  }
  const stick = stuck;
  const node = renderMessage(message);
  const old = document.getElementById(`m-${message.id}`);
  if (old) old.replaceWith(node);
  else {
    const list = $('message-list');
    const after = [...list.children].find((c) => compareIds(c.dataset.id, message.id) > 0);
    list.insertBefore(node, after ?? null);
  }
  if (stick) toBottom();
}

function remove(id) {
  state.messages.delete(id);
  document.getElementById(`m-${id}`)?.remove();
}

function renderAll() {
  const stick = stuck;
  const list = $('message-list');
  list.replaceChildren(...[...state.messages.values()].sort((a, b) => compareIds(a.id, b.id)).filter((m) => !state.dismissed.has(m.id) && placeOf(m) === state.current).map(renderMessage));
  if (stick) toBottom();
}

/** The line above a bot's answer: "alice used /imagine", or the message a button/modal was used on. */
function contextLine(m) {
  const meta = m.interaction_metadata;
  const who = meta?.user ?? m.interaction?.user;
  if (meta?.type === 2 || (m.interaction && (m.type === 20 || m.type === 23))) {
    const name = localizedCommandName(meta?.name ?? m.interaction?.name ?? '');
    return h('div', { class: 'context' }, avatarMini(who), h('span', { class: 'who' }, `@${who?.username ?? '?'}`), ` ${ui('used')} `, h('span', { class: 'cmd' }, `/${name}`));
  }
  if (meta && (meta.type === 3 || meta.type === 5)) {
    const targetId = meta.interacted_message_id ?? meta.triggering_interaction_metadata?.interacted_message_id;
    const target = targetId ? state.messages.get(targetId) : undefined;
    const snippet = target ? (target.content || '').replace(/\s+/g, ' ').slice(0, 80) : '';
    return h('div', { class: 'context' }, avatarMini(who), h('span', { class: 'who' }, `@${who?.username ?? '?'}`), ` ${ui(meta.type === 3 ? 'clicked' : 'submitted')} `,
      h('span', { html: renderMarkdown(snippet, names) }));
  }
  if (m.type === 19 && m.referenced_message) {
    const r = m.referenced_message;
    return h('div', { class: 'context' }, h('span', { class: 'who' }, `@${r.author?.username ?? '?'}`), h('span', { html: renderMarkdown((r.content || '').slice(0, 80), names) }));
  }
  return null;
}

function avatarMini(user) {
  const a = avatar(user ?? { username: '?' }, 'avatar-mini');
  a.style.cssText += ';width:16px;height:16px;border-radius:50%;display:inline-grid;place-items:center;font-size:9px;color:#fff';
  return a;
}

function renderMessage(m) {
  const ephemeral = (m.flags & FLAG_EPHEMERAL) !== 0;
  const ctx = contextLine(m);
  const art = h('article', { class: `msg${ephemeral ? ' ephemeral' : ''}${ctx ? ' has-context' : ''}`, id: `m-${m.id}`, 'data-id': m.id });
  if (ctx) art.append(ctx);
  art.append(avatar(m.author));
  const body = h('div', { class: 'body' });
  body.append(h('header', {}, h('span', { class: 'author' }, m.author?.global_name ?? m.author?.username ?? '?'), m.author?.bot ? h('span', { class: 'tag' }, 'APP') : null, h('time', { class: 'when', datetime: m.timestamp }, when(m.timestamp))));
  if (m.flags & FLAG_LOADING) body.append(h('div', { class: 'loading' }, `${m.author?.username ?? 'bot'} ${ui('thinking')}`));
  if (m.content) {
    const c = h('div', { class: 'content', html: renderMarkdown(m.content, names) });
    if (m.edited_timestamp) c.append(h('span', { class: 'edited' }, ui('edited')));
    body.append(c);
  }
  if (m.attachments?.length) body.append(h('div', { class: 'attachments' }, m.attachments.map(renderAttachment)));
  for (const e of m.embeds ?? []) body.append(renderEmbed(e));
  if (m.components?.length) body.append(h('div', { class: 'components' }, m.components.map((row) => renderRow(m, row))));
  if (state.failedOn.has(m.id)) body.append(h('div', { class: 'failed-note' }, state.failedOn.get(m.id)));
  if (ephemeral) {
    body.append(h('div', { class: 'ephemeral-note' }, `👁 ${ui('onlyYou')} · `, h('button', { type: 'button', onclick: () => { state.dismissed.add(m.id); remove(m.id); } }, ui('dismiss'))));
  }
  art.append(body);
  return art;
}

function renderAttachment(a) {
  const type = a.content_type ?? '';
  const keepBottom = (e) => e.addEventListener('load', () => stuck && toBottom());
  if (type.startsWith('image/')) {
    const img = h('img', { src: a.proxy_url ?? a.url, alt: a.filename, title: a.filename, loading: 'eager', onclick: () => window.open(a.url, '_blank') });
    if (a.width && a.height) {
      // Discord sizes the box before the image arrives, so the channel does not jump.
      const k = Math.min(1, 520 / a.width, 360 / a.height);
      img.style.width = `${Math.round(a.width * k)}px`;
      img.style.height = `${Math.round(a.height * k)}px`;
    }
    keepBottom(img);
    return img;
  }
  if (type.startsWith('video/')) {
    const video = h('video', { src: a.url, controls: true, preload: 'metadata', title: a.filename });
    // The simulated proxy's clips are stubs a browser cannot play: say so rather than spin.
    video.addEventListener('error', () => video.replaceWith(h('a', { class: 'file', href: a.url, target: '_blank', rel: 'noreferrer' }, `🎞️ ${a.filename} (${ui('cannotPlay')})`)));
    return video;
  }
  return h('a', { class: 'file', href: a.url, target: '_blank', rel: 'noreferrer' }, `📄 ${a.filename} (${Math.ceil((a.size ?? 0) / 1024)} KB)`);
}

function renderEmbed(e) {
  const box = h('div', { class: 'embed' });
  if (e.color !== undefined && e.color !== null) box.style.borderLeftColor = `#${Number(e.color).toString(16).padStart(6, '0')}`;
  if (e.author?.name) box.append(h('div', { class: 'e-author' }, e.author.name));
  if (e.title) box.append(h('div', { class: 'e-title' }, e.url ? h('a', { href: e.url, target: '_blank', rel: 'noreferrer' }, e.title) : e.title));
  if (e.description) box.append(h('div', { class: 'e-desc', html: renderMarkdown(e.description, names) }));
  if (e.fields?.length) {
    box.append(h('div', { class: 'e-fields' }, e.fields.map((f) => h('div', { class: `e-field${f.inline ? ' inline' : ''}` }, h('div', { class: 'n', html: renderMarkdown(f.name, names) }), h('div', { html: renderMarkdown(f.value, names) })))));
  }
  if (e.thumbnail?.url) box.append(h('img', { class: 'e-thumb', src: e.thumbnail.proxy_url ?? e.thumbnail.url, alt: '' }));
  if (e.image?.url) {
    const img = h('img', { class: 'e-image', src: e.image.proxy_url ?? e.image.url, alt: '' });
    img.addEventListener('load', () => stuck && toBottom());
    box.append(img);
  }
  if (e.footer?.text || e.timestamp) box.append(h('div', { class: 'e-footer' }, [e.footer?.text, e.timestamp ? when(e.timestamp) : null].filter(Boolean).join(' • ')));
  return box;
}

function emojiText(emoji) {
  if (!emoji) return null;
  return h('span', { class: 'emoji' }, emoji.id ? `:${emoji.name}:` : emoji.name);
}

function renderRow(m, row) {
  const out = h('div', { class: 'row' });
  for (const c of row.components ?? []) {
    if (c.type === 2) {
      const face = [emojiText(c.emoji), c.label ? h('span', { class: 'label' }, c.label) : null];
      if (c.style === 5) {
        out.append(h('a', { class: 'btn s5', href: c.url, target: '_blank', rel: 'noreferrer' }, face, ' ↗'));
        continue;
      }
      const b = h('button', { type: 'button', class: `btn s${c.style ?? 2}`, disabled: c.disabled, 'data-custom-id': c.custom_id }, face);
      b.addEventListener('click', () => interact(m, b, () => api('POST', '/api/interactions/button', { ...actor(), messageId: m.id, customId: c.custom_id })));
      out.append(b);
    } else if (c.type === 3 || c.type === 5 || c.type === 6 || c.type === 8) {
      out.append(renderSelect(m, c));
    }
  }
  return out;
}

/**
 * A string select (type 3), a user select (type 5, listing the people the playground knows), a role
 * select (type 6, listing the server's roles) or a channel select (type 8, listing the server's
 * channels of its channel_types): one value is sent as soon as it is picked; a multi-select
 * (max_values > 1) sends what is ticked when its ✓ is pressed, none at all when min_values allows it.
 */
function renderSelect(m, c) {
  const chosen = new Set(c.type === 3 ? (c.options ?? []).filter((o) => o.default).map((o) => o.value) : (c.default_values ?? []).map((d) => d.id));
  const options = c.type === 8
    ? state.channels.filter((ch) => !c.channel_types?.length || c.channel_types.includes(ch.type)).map((ch) => ({ value: ch.id, label: `# ${ch.name}` }))
    : c.type === 6
      ? (state.roles ?? []).map((r) => ({ value: r.id, label: `@${r.name}` }))
      : c.type === 5
        ? [...state.users.values()].map((u) => ({ value: u.id, label: `@ ${u.global_name ?? u.username}` }))
        : (c.options ?? []);
  const multi = (c.max_values ?? 1) > 1;
  const send = (values) => api('POST', '/api/interactions/select', { ...actor(), messageId: m.id, customId: c.custom_id, values });
  if (!multi) {
    const sel = h('select', { class: 'select', 'data-custom-id': c.custom_id, disabled: c.disabled, title: c.placeholder },
      h('option', { value: '' }, c.placeholder ?? '…'), options.map((o) => h('option', { value: o.value, selected: chosen.has(o.value) }, o.label)));
    sel.addEventListener('change', () => sel.value && interact(m, sel, () => send([sel.value])));
    return sel;
  }
  const sel = h('select', { class: 'select multi', multiple: true, size: Math.min(options.length, 5), 'data-custom-id': c.custom_id, disabled: c.disabled, title: c.placeholder },
    options.map((o) => h('option', { value: o.value, selected: chosen.has(o.value) }, o.label)));
  const ok = h('button', { type: 'button', class: 'btn s1', disabled: c.disabled, title: c.placeholder, 'data-apply': c.custom_id }, '✓');
  ok.addEventListener('click', () => interact(m, ok, () => send([...sel.selectedOptions].map((o) => o.value))));
  return h('div', { class: 'multi-select' }, h('div', { class: 'desc' }, c.placeholder ?? ''), sel, ok);
}

/** A click or pick on a message: wait for the bot's answer, open its modal, or say it did not respond. */
async function interact(m, control, send) {
  const wasDisabled = control.disabled;
  control.classList.add('pending');
  control.disabled = true;
  try {
    const r = await send();
    jobSent();
    handleResult(r, m.id);
  } catch (err) {
    toast(err.message);
  } finally {
    control.classList.remove('pending');
    control.disabled = wasDisabled;
  }
}

function handleResult(r, messageId) {
  if (r.failed) {
    if (messageId) {
      state.failedOn.set(messageId, ui('noResponse'));
      const m = state.messages.get(messageId);
      if (m) upsert(m);
    } else setHint(ui('noResponse'), true);
    return;
  }
  if (messageId && state.failedOn.delete(messageId)) {
    const m = state.messages.get(messageId);
    if (m) upsert(m);
  }
  if (r.response?.type === 9) openModal(r.response.data, messageId);
}

// ───────────────────────── event stream

function connect() {
  state.events?.close();
  state.messages.clear();
  state.unread.clear();
  renderSidebar();
  const es = new EventSource(`/api/events?user=${encodeURIComponent(state.me)}`);
  state.events = es;
  es.onmessage = (ev) => {
    const e = JSON.parse(ev.data);
    if (e.kind === 'snapshot') {
      state.messages = new Map(e.messages.map((m) => [m.id, m]));
      renderAll();
      toBottom();
      setStatus(e.status);
      document.body.dataset.ready = 'true';
    } else if (e.kind === 'message') {
      if (!state.dismissed.has(e.message.id)) upsert(e.message);
    } else if (e.kind === 'delete') remove(e.id);
    else if (e.kind === 'bot') setStatus(e.status);
  };
}

function setStatus(s) {
  state.status = s;
  const el = $('status');
  el.className = `status ${s}`;
  $('status-text').textContent = `${state.bot?.username ?? 'mjbot'} ${s === 'online' ? ui('online') : s === 'restarting' ? ui('restarting') : ui('stopped')}`;
  $('restart').disabled = s === 'restarting';
}

// ───────────────────────── composer: slash commands

const loc = (obj, key) => obj?.[`${key}_localizations`]?.[state.locale] ?? obj?.[key] ?? '';
function localizedCommandName(name) {
  const [base, ...rest] = name.split(' ');
  const c = state.commands.find((x) => x.name === base);
  return [c ? loc(c, 'name') : base, ...rest].join(' ');
}

/** Every runnable entry: a command, or each of its subcommands ("settings show"). */
function entries() {
  const out = [];
  for (const c of state.commands) {
    const subs = (c.options ?? []).filter((o) => o.type === 1 || o.type === 2);
    if (!subs.length) { out.push({ command: c, path: [], options: c.options ?? [] }); continue; }
    for (const s of subs) {
      if (s.type === 1) out.push({ command: c, path: [s], options: s.options ?? [] });
      else for (const ss of (s.options ?? []).filter((o) => o.type === 1)) out.push({ command: c, path: [s, ss], options: ss.options ?? [] });
    }
  }
  return out;
}
const entryName = (e) => [loc(e.command, 'name'), ...e.path.map((p) => loc(p, 'name'))].join(' ');
const entryCanonical = (e) => [e.command.name, ...e.path.map((p) => p.name)].join(' ');
const entryDescription = (e) => loc(e.path[e.path.length - 1] ?? e.command, 'description');

let popup = { items: [], index: 0, onPick: null };
function showPopup(head, items, onPick, emptyText) {
  const box = $('popup');
  popup = { items, index: 0, onPick };
  box.replaceChildren(h('div', { class: 'head' }, head));
  if (!items.length) box.append(h('div', { class: 'none' }, emptyText ?? ui('noMatch')));
  items.forEach((it, i) => {
    const row = h('div', { class: `item${i === 0 ? ' active' : ''}`, role: 'option', 'data-value': it.key }, h('span', { class: 'n' }, it.label), it.description ? h('span', { class: 'd' }, it.description) : null, it.app ? h('span', { class: 'app' }, it.app) : null);
    row.addEventListener('mousedown', (ev) => { ev.preventDefault(); onPick(it); });
    box.append(row);
  });
  box.hidden = false;
}
function hidePopup() {
  $('popup').hidden = true;
  popup = { items: [], index: 0, onPick: null };
}
function popupKey(ev) {
  if ($('popup').hidden || !popup.items.length) return false;
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    ev.preventDefault();
    popup.index = (popup.index + (ev.key === 'ArrowDown' ? 1 : popup.items.length - 1)) % popup.items.length;
    [...$('popup').querySelectorAll('.item')].forEach((e, i) => {
      e.classList.toggle('active', i === popup.index);
      if (i === popup.index) e.scrollIntoView({ block: 'nearest' });
    });
    return true;
  }
  if (ev.key === 'Enter' || ev.key === 'Tab') {
    ev.preventDefault();
    popup.onPick(popup.items[popup.index]);
    return true;
  }
  if (ev.key === 'Escape') {
    hidePopup();
    return true;
  }
  return false;
}

function onComposerInput() {
  const v = $('composer-input').value;
  if (!v.startsWith('/')) return hidePopup();
  const q = v.slice(1).toLowerCase().trim();
  const list = entries().filter((e) => entryCanonical(e).startsWith(q) || entryName(e).toLowerCase().startsWith(q));
  showPopup(ui('commands'), list.map((e) => ({ key: entryCanonical(e), label: `/${entryName(e)}`, description: entryDescription(e), app: state.bot?.username, entry: e })), (it) => startCommand(it.entry));
}

let current = null; // { entry, fields: Map(name → {def, el, input, value()}) }

function startCommand(entry) {
  hidePopup();
  setHint('');
  current = { entry, fields: new Map() };
  $('composer-input').value = '';
  $('composer-input').hidden = true;
  $('command').hidden = false;
  $('command-chip').textContent = `/${entryName(entry)}`;
  $('fields').replaceChildren();
  for (const def of entry.options.filter((o) => o.required)) addField(def);
  renderOptionalAdders();
  const first = current.fields.values().next().value;
  (first?.input ?? $('command-chip')).focus();
}

function cancelCommand() {
  current = null;
  hidePopup();
  $('command').hidden = true;
  $('composer-input').hidden = false;
  $('composer-input').value = '';
  $('composer-input').focus();
}

function renderOptionalAdders() {
  const box = $('add-options');
  box.replaceChildren();
  const rest = current.entry.options.filter((o) => !o.required && !current.fields.has(o.name));
  if (!rest.length) return;
  box.append(h('span', { class: 'label' }, ui('optional')));
  for (const def of rest) {
    box.append(h('button', { type: 'button', title: loc(def, 'description'), 'data-option': def.name, onclick: () => { addField(def).input.focus(); renderOptionalAdders(); } }, loc(def, 'name')));
  }
}

function addField(def) {
  const wrap = h('span', { class: `field${def.type === 3 && !def.choices && def.required ? ' prompt-like' : ''}`, 'data-option': def.name, title: loc(def, 'description') }, h('span', { class: 'fname' }, `${loc(def, 'name')}:`));
  const field = { def, el: wrap, input: null, value: () => undefined };
  if (def.choices?.length) {
    const sel = h('select', { 'aria-label': def.name }, h('option', { value: '' }, '—'), def.choices.map((c) => h('option', { value: String(c.value) }, loc(c, 'name'))));
    field.input = sel;
    field.value = () => (sel.value === '' ? undefined : def.type === 4 || def.type === 10 ? Number(sel.value) : sel.value);
  } else if (def.type === 5) {
    const sel = h('select', { 'aria-label': def.name }, h('option', { value: '' }, '—'), h('option', { value: 'true' }, 'True'), h('option', { value: 'false' }, 'False'));
    field.input = sel;
    field.value = () => (sel.value === '' ? undefined : sel.value === 'true');
  } else if (def.type === 6) {
    const sel = h('select', { 'aria-label': def.name }, h('option', { value: '' }, '—'), state.actors.map((a) => h('option', { value: a }, `@${a}`)));
    field.input = sel;
    field.value = () => sel.value || undefined;
  } else if (def.type === 11) {
    const file = h('input', { type: 'file', 'aria-label': def.name });
    const pick = h('button', { type: 'button', class: 'pick' }, ui('upload'));
    let id;
    pick.addEventListener('click', () => file.click());
    file.addEventListener('change', async () => {
      const f = file.files?.[0];
      if (!f) return;
      pick.textContent = ui('uploading');
      try {
        id = (await upload(f)).id;
        pick.textContent = `📎 ${f.name}`;
      } catch (err) {
        pick.textContent = ui('upload');
        setHint(err.message, true);
      }
    });
    wrap.append(file);
    field.input = pick;
    field.value = () => id;
  } else {
    const numeric = def.type === 4 || def.type === 10;
    const input = h('input', { 'aria-label': def.name, type: numeric ? 'number' : 'text', step: def.type === 10 ? 'any' : undefined, min: def.min_value, max: def.max_value, maxlength: def.max_length });
    let chosen; // an autocomplete choice: shown by name, sent by value
    if (def.autocomplete) {
      let timer;
      input.addEventListener('input', () => {
        chosen = undefined;
        clearTimeout(timer);
        timer = setTimeout(() => autocomplete(field, (c) => { chosen = c.value; input.value = c.name; hidePopup(); }), 200);
      });
      // Discord offers the choices as soon as the option is entered, unless one is already picked.
      input.addEventListener('focus', () => chosen === undefined && autocomplete(field, (c) => { chosen = c.value; input.value = c.name; hidePopup(); }));
      input.addEventListener('blur', () => setTimeout(() => document.activeElement !== input && hidePopup(), 100));
    }
    field.input = input;
    field.value = () => (chosen !== undefined ? chosen : input.value === '' ? undefined : numeric ? Number(input.value) : input.value);
  }
  wrap.append(field.input);
  if (!def.required) wrap.append(h('button', { type: 'button', class: 'remove', 'aria-label': 'remove', onclick: () => { current.fields.delete(def.name); wrap.remove(); renderOptionalAdders(); } }, '×'));
  field.input.addEventListener('keydown', (ev) => {
    if (popupKey(ev)) return;
    if (ev.key === 'Enter') { ev.preventDefault(); submitCommand(); }
    else if (ev.key === 'Escape') cancelCommand();
  });
  current.fields.set(def.name, field);
  $('fields').append(wrap);
  return field;
}

function currentValues() {
  const values = {};
  for (const [name, f] of current.fields) {
    const v = f.value();
    if (v !== undefined) values[name] = v;
  }
  return values;
}

async function autocomplete(field, pick) {
  if (!current) return;
  const e = current.entry;
  try {
    const r = await api('POST', '/api/interactions/autocomplete', { ...actor(), name: e.command.name, subcommand: e.path.map((p) => p.name).join(' ') || undefined, options: { ...currentValues(), [field.def.name]: field.input.value }, focused: field.def.name });
    if (document.activeElement !== field.input) return;
    showPopup(loc(field.def, 'name'), r.choices.map((c) => ({ key: String(c.value), label: loc(c, 'name'), choice: { name: loc(c, 'name'), value: c.value } })), (it) => pick(it.choice), '—');
  } catch (err) {
    setHint(err.message, true);
  }
}

async function submitCommand() {
  if (!current) return;
  const e = current.entry;
  let missing = false;
  for (const f of current.fields.values()) {
    const empty = f.def.required && f.value() === undefined;
    f.el.classList.toggle('missing', empty);
    missing ||= empty;
  }
  if (missing) return setHint(ui('required'), true);
  const body = { ...actor(), name: e.command.name, subcommand: e.path.map((p) => p.name).join(' ') || undefined, options: currentValues() };
  cancelCommand();
  setHint('');
  try {
    const r = await api('POST', '/api/interactions/command', body);
    jobSent();
    handleResult(r, null);
  } catch (err) {
    setHint(err.message, true);
  }
}

function setHint(text, error = false) {
  const el = $('composer-hint');
  el.textContent = text;
  el.classList.toggle('error', error);
}

// ───────────────────────── modals

let modal = null;
function openModal(data, messageId) {
  modal = { data, messageId, fields: [] };
  $('modal-title').textContent = data.title ?? '';
  $('modal-error').textContent = '';
  $('modal-avatar').replaceWith(Object.assign(avatar(state.bot, 'avatar'), { id: 'modal-avatar' }));
  const body = $('modal-body');
  body.replaceChildren();
  for (const c of data.components ?? []) {
    if (c.type === 18) body.append(modalField(c.label, c.description, c.component));
    else if (c.type === 1 && c.components?.[0]) body.append(modalField(c.components[0].label, null, c.components[0]));
    else if (c.type === 10) body.append(h('div', { class: 'mtext', html: renderMarkdown(c.content ?? '', names) }));
  }
  $('modal').showModal();
  const first = body.querySelector('input, textarea, select');
  first?.focus();
}

function modalField(label, description, comp) {
  const id = `mf-${comp.custom_id}`;
  const required = comp.required !== false;
  const box = h('div', { class: 'mfield', 'data-custom-id': comp.custom_id }, h('label', { for: id }, label ?? comp.custom_id, required ? h('span', { class: 'req' }, '*') : null));
  if (description) box.append(h('div', { class: 'desc' }, description));
  let input;
  if (comp.type === 4) {
    const attrs = { id, name: comp.custom_id, required, minlength: comp.min_length, maxlength: comp.max_length, placeholder: comp.placeholder };
    input = comp.style === 2 ? h('textarea', attrs) : h('input', { ...attrs, type: 'text' });
    input.value = comp.value ?? '';
    modal.fields.push({ kind: 'text', id: comp.custom_id, input });
  } else if (comp.type === 19) {
    input = h('input', { id, type: 'file', name: comp.custom_id, required, multiple: (comp.max_values ?? 1) > 1 });
    modal.fields.push({ kind: 'file', id: comp.custom_id, input });
  } else if (comp.type === 3) {
    input = h('select', { id, name: comp.custom_id, required }, h('option', { value: '' }, comp.placeholder ?? '—'), (comp.options ?? []).map((o) => h('option', { value: o.value, selected: o.default }, o.label)));
    modal.fields.push({ kind: 'select', id: comp.custom_id, input });
  } else {
    input = h('div', { class: 'desc' }, `(component type ${comp.type})`);
  }
  box.append(input);
  return box;
}

async function submitModal(ev) {
  ev.preventDefault();
  if (!modal) return;
  const submit = $('modal-submit');
  submit.disabled = true;
  try {
    const values = {};
    const files = {};
    for (const f of modal.fields) {
      if (f.kind === 'file') files[f.id] = await Promise.all([...(f.input.files ?? [])].map(async (file) => (await upload(file)).id));
      else values[f.id] = f.input.value;
    }
    const r = await api('POST', '/api/interactions/modal', { ...actor(), customId: modal.data.custom_id, values, files });
    const messageId = modal.messageId;
    jobSent();
    closeModal();
    handleResult(r, messageId);
  } catch (err) {
    $('modal-error').textContent = err.message;
  } finally {
    submit.disabled = false;
  }
}

function closeModal() {
  modal = null;
  if ($('modal').open) $('modal').close();
}

// ───────────────────────── channels

function renderSidebar() {
  const box = $('channel-list');
  box.replaceChildren(...state.sidebar.filter((c) => c.id !== 'dm').map((c) => {
    return h('div', { class: `channel${c.id === state.current ? ' active' : ''}${state.unread.has(c.id) ? ' unread' : ''}`, role: 'button', tabindex: 0, 'data-channel': c.name, onclick: () => switchChannel(c.id) }, c.name);
  }));
  const dm = $('dm-entry');
  dm.className = `channel dm${state.current === 'dm' ? ' active' : ''}${state.unread.has('dm') ? ' unread' : ''}`;
  dm.textContent = ui('directMessages');
}

function switchChannel(id, focusMessage) {
  if (!state.sidebar.some((c) => c.id === id)) return;
  state.current = id;
  sessionStorage.setItem('pg.channel', id);
  state.unread.delete(id);
  stuck = true;
  renderSidebar();
  applyChannel();
  renderAll();
  if (focusMessage) {
    const el = document.getElementById(`m-${focusMessage}`);
    if (el) {
      el.scrollIntoView({ block: 'center' });
      el.classList.add('highlight');
      setTimeout(() => el.classList.remove('highlight'), 2000);
    }
  }
}

/** The channel's name in the top bar, the welcome text and the composer's placeholder. */
function applyChannel() {
  const c = currentEntry();
  const dm = c?.id === 'dm';
  const name = c?.name ?? 'general';
  document.title = `${dm ? '@mjbot' : `#${name}`} · mjbot playground`;
  $('channel-title').textContent = dm ? ui('directMessages') : name;
  $('channel-title').classList.toggle('dm', dm);
  $('welcome-title').textContent = dm ? ui('dmWelcomeTitle') : ui('welcomeTitleOf').replace('{name}', name);
  $('welcome-body').textContent = dm ? ui('dmWelcomeBody') : ui('welcomeBody');
  $('composer-input').placeholder = dm ? ui('placeholderDm') : ui('placeholderOf').replace('{name}', name);
}

/** A jump link (https://discord.com/channels/guild/channel/message) opens that channel here, as Discord's client does. */
function onLinkClick(ev) {
  const a = ev.target.closest?.('a[href]');
  if (!a) return;
  const m = /^https:\/\/discord\.com\/channels\/[^/]+\/(\d+)(?:\/(\d+))?/.exec(a.getAttribute('href') ?? '');
  if (!m) return;
  const place = state.sidebar.some((c) => c.id === m[1]) ? m[1] : 'dm';
  ev.preventDefault();
  switchChannel(place, m[2]);
}

// ───────────────────────── chrome

function applyLocale() {
  document.documentElement.lang = state.locale;
  for (const e of document.querySelectorAll('[data-ui]')) e.textContent = ui(e.dataset.ui);
  applyChannel();
  renderSidebar();
  $('topic').textContent = `${state.bot?.username ?? 'mjbot'} · ${state.backend === 'simulated' ? ui('simulated') : `${ui('real')} ${state.backend}`}`;
  setStatus(state.status);
  if (current) {
    const entry = current.entry;
    cancelCommand();
    startCommand(entry);
  }
  renderAll();
}

function applyUser() {
  const me = [...state.users.values()].find((u) => u.username === state.me);
  $('me-avatar').replaceWith(Object.assign(avatar(me ?? { username: state.me }, 'avatar-sm'), { id: 'me-avatar' }));
  $('me-avatar').style.cssText += ';width:32px;height:32px;border-radius:50%;display:grid;place-items:center;color:#fff;font-weight:700';
}

async function main() {
  const s = await api('GET', '/api/state');
  state.bot = s.bot;
  state.channel = s.channel;
  state.channels = s.channels ?? [];
  state.sidebar = s.sidebar ?? [{ id: s.channel.id, name: s.channel.name }];
  if (!state.sidebar.some((c) => c.id === state.current)) state.current = s.channel.id;
  state.roles = s.roles ?? [];
  state.actors = s.actors;
  state.backend = s.backend;
  state.status = s.status;
  for (const u of s.users) state.users.set(u.id, u);
  state.commands = await api('GET', '/api/commands');
  if (!state.actors.includes(state.me)) state.me = state.actors[0];
  if (!s.locales.includes(state.locale)) state.locale = s.locales[0];

  const us = $('user-select');
  us.replaceChildren(...state.actors.map((a) => h('option', { value: a, selected: a === state.me }, a)));
  us.addEventListener('change', () => {
    state.me = us.value;
    sessionStorage.setItem('pg.user', state.me);
    state.failedOn.clear();
    applyUser();
    connect();
  });
  const ls = $('locale-select');
  ls.replaceChildren(...s.locales.map((l) => h('option', { value: l, selected: l === state.locale }, l === 'zh-CN' ? '中文 (zh-CN)' : 'English (en-US)')));
  ls.addEventListener('change', () => {
    state.locale = ls.value;
    sessionStorage.setItem('pg.locale', state.locale);
    applyLocale();
  });

  if (s.simulation) {
    $('next-job-label').hidden = false;
    $('remix-label').hidden = false;
    $('remix').checked = s.simulation.remix;
    $('backend-menu').hidden = false;
    for (const box of document.querySelectorAll('#backend-menu input[data-quirk]')) {
      box.checked = s.simulation.quirks?.[box.dataset.quirk] === true;
      box.addEventListener('change', () => api('POST', '/api/simulate', { quirks: { [box.dataset.quirk]: box.checked } }).catch((err) => toast(err.message)));
    }
    // Two simulated backends: a switch per backend takes it down (its listener closes) and back.
    if (s.simulation.backends) {
      const box = $('backend-switches');
      box.hidden = false;
      box.replaceChildren(
        ...s.simulation.backends.map((b) => {
          const input = h('input', { type: 'checkbox', 'data-backend': b.name, checked: b.down });
          input.addEventListener('change', async () => {
            input.disabled = true;
            try {
              await api('POST', '/api/simulate', { down: { [b.name]: input.checked } });
              toast(`${b.name} ${ui(input.checked ? 'backendWentDown' : 'backendCameBack')}`, 'info');
            } catch (err) {
              input.checked = !input.checked;
              toast(err.message);
            } finally {
              input.disabled = false;
            }
          });
          return h('label', {}, input, ' ', h('code', {}, b.name), ' ', h('span', { 'data-ui': 'backendDown' }, ui('backendDown')));
        }),
      );
    }
    $('skip-time').addEventListener('click', () => api('POST', '/api/simulate', { skipMinutes: 20 }).then(() => toast(ui('skipped'), 'info')).catch((err) => toast(err.message)));
    const nj = $('next-job');
    nj.addEventListener('change', async () => {
      try {
        await api('POST', '/api/simulate', { nextJob: nj.value });
      } catch (err) {
        toast(err.message);
      }
    });
    $('remix').addEventListener('change', () => api('POST', '/api/simulate', { remix: $('remix').checked }).catch((err) => toast(err.message)));
  }
  $('restart').addEventListener('click', async () => {
    setStatus('restarting');
    try {
      await api('POST', '/api/restart');
    } catch (err) {
      toast(err.message);
    }
  });

  $('messages').addEventListener('scroll', () => (stuck = atBottom()));
  // A command without required options (/settings, /tasks) is sent from its chip.
  $('command-chip').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') { ev.preventDefault(); submitCommand(); }
    else if (ev.key === 'Escape') cancelCommand();
  });
  const input = $('composer-input');
  input.addEventListener('input', onComposerInput);
  input.addEventListener('keydown', async (ev) => {
    if (popupKey(ev)) return;
    if (ev.key === 'Enter') {
      ev.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      if (text.startsWith('/')) {
        // "/imagine a red fox": the command, with the rest as its first option.
        const named = (e) => [`/${entryCanonical(e)}`, `/${entryName(e)}`].find((n) => text === n || text.startsWith(`${n} `));
        const match = entries().find(named);
        if (!match) return;
        const rest = text.slice(named(match).length).trim();
        startCommand(match);
        const first = current?.fields.values().next().value;
        if (rest && first?.input instanceof HTMLInputElement) first.input.value = rest;
        return;
      }
      input.value = '';
      await api('POST', '/api/messages', { user: state.me, channel: state.current, content: text }).catch((err) => setHint(err.message, true));
    }
  });
  input.addEventListener('blur', () => setTimeout(() => document.activeElement !== input && !current && hidePopup(), 100));
  $('composer').addEventListener('submit', (ev) => ev.preventDefault());
  $('modal-form').addEventListener('submit', submitModal);
  $('modal-cancel').addEventListener('click', closeModal);
  $('modal-close').addEventListener('click', closeModal);
  $('modal').addEventListener('close', () => { modal = null; });
  $('dm-entry').addEventListener('click', () => switchChannel('dm'));
  $('messages').addEventListener('click', onLinkClick);

  applyUser();
  applyLocale();
  connect();
  input.focus();
}

main().catch((err) => {
  document.body.textContent = `The playground page could not start: ${err.message}`;
});
