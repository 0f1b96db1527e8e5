// The fakes' own process (forked by FakesProcess.start in bench/fakes-client.ts, which documents
// the messages): a fake proxy, a fake Discord, or both, answering the benchmark over IPC. Here the
// fakes do their work (answer reads, send notifyHook callbacks, take edits, record them) on an
// event loop nobody else uses, and this process's event-loop delay is measured between mark and
// collect.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { startFakeDiscord, type FakeDiscord, type RecordedCall } from '../stand-ins/fake-discord.ts';
import { startFakeProxy, type FakeProxy } from '../stand-ins/fake-proxy.ts';
import { mapLimit } from '../src/util/map-limit.ts';
import type { AnsweredCommand, EditCall, FakesCollected, FromFakes, ToFakes } from './fakes-client.ts';

let proxy: FakeProxy | null = null;
let discord: FakeDiscord | null = null;
let lag: IntervalHistogram | null = null;

const isRead = (route: string | null) => route === '/mj/task/list-by-condition' || /\/fetch$/.test(route ?? '');

async function answerCommands(d: FakeDiscord, n: number, command: string, options: unknown[], reply: string, channelIds?: string[]): Promise<AnsweredCommand[]> {
  const warn = console.warn;
  console.warn = () => undefined; // the fake notes that no gateway session sees the interactions: none should
  try {
    return await mapLimit(Array.from({ length: n }, (_, i) => i), 32, async (i): Promise<AnsweredCommand> => {
      const channelId = channelIds?.[i] ?? d.channelId;
      const it = d.sendSlashCommand(command, options as Parameters<FakeDiscord['sendSlashCommand']>[1], { channelId });
      const res = await fetch(`${d.apiBase}/v10/interactions/${it.id}/${it.token}/callback?with_response=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: reply });
      const body = (await res.json()) as { resource?: { message?: { id: string } } };
      if (!res.ok || !body.resource?.message) throw new Error(`seeding: callback answered ${res.status}`);
      return { token: it.token, messageId: body.resource.message.id, channelId, at: Date.now() };
    });
  } finally {
    console.warn = warn;
  }
}

const editCall = (c: RecordedCall): EditCall => ({
  method: c.method,
  path: c.path,
  status: c.status,
  at: c.at,
  json: c.json,
  files: c.files.map((x) => ({ name: x.name, size: x.size })),
  ...(typeof c.response?.code === 'number' ? { code: c.response.code } : {}),
});

function editCalls(d: FakeDiscord, from: number): EditCall[] {
  return d.calls
    .slice(from)
    .filter((c) => c.method === 'PATCH' || c.path.startsWith('/webhooks/'))
    .map(editCall);
}

async function handle(msg: ToFakes): Promise<FromFakes> {
  switch (msg.type) {
    case 'start': {
      if (msg.options.proxy) proxy = await startFakeProxy({ apiKey: msg.options.proxy.apiKey, advance: 'manual' });
      if (msg.options.discord) discord = await startFakeDiscord(msg.options.discord === true ? {} : msg.options.discord);
      return {
        type: 'started',
        info: {
          proxy: proxy ? { baseUrl: proxy.baseUrl } : null,
          discord: discord
            ? { token: discord.token, appId: discord.appId, apiBase: discord.apiBase, guildId: discord.guildId, channelId: discord.channelId, aliceId: discord.users.alice.id }
            : null,
        },
      };
    }
    case 'add-tasks': {
      const p = need(proxy, 'proxy');
      const ids: string[] = [];
      for (let i = 0; i < msg.n; i++) ids.push(p.addTask({ prompt: msg.prompt, timeline: msg.timeline }));
      if (msg.notifyHook) for (const id of ids) p.tasks.get(id)!.notifyHook = msg.notifyHook;
      return { type: 'ids', ids };
    }
    case 'answer-commands':
      return { type: 'answered', commands: await answerCommands(need(discord, 'Discord'), msg.n, msg.command, msg.options, msg.reply, msg.channelIds) };
    case 'add-channels': {
      const d = need(discord, 'Discord');
      return { type: 'channels', ids: msg.names.map((name) => d.addChannel(name)) };
    }
    case 'calls': {
      const d = need(discord, 'Discord');
      const next = d.calls.length;
      return { type: 'calls', calls: Number.isFinite(msg.from) ? d.calls.slice(msg.from, next).map(editCall) : [], next, rateLimitHits: d.rateLimitHits };
    }
    case 'advance':
      need(proxy, 'proxy').advance(msg.id, msg.steps);
      return { type: 'advanced', at: Date.now() };
    case 'mark':
      lag?.disable();
      lag = monitorEventLoopDelay({ resolution: 5 });
      lag.enable();
      return { type: 'mark', mark: { proxyRequests: proxy?.requests.length ?? 0, discordCalls: discord?.calls.length ?? 0, rateLimitHits: discord?.rateLimitHits ?? 0 } };
    case 'collect': {
      lag?.disable();
      const got: FakesCollected = {
        proxyReads: proxy ? proxy.requests.slice(msg.mark.proxyRequests).filter((r) => isRead(r.route)).length : 0,
        calls: discord ? editCalls(discord, msg.mark.discordCalls) : [],
        rateLimitHits: discord ? discord.rateLimitHits - msg.mark.rateLimitHits : 0,
        lagP99Ms: lag ? lag.percentile(99) / 1e6 : NaN,
        lagMaxMs: lag ? lag.max / 1e6 : NaN,
      };
      return { type: 'collected', got };
    }
    case 'close':
      await discord?.close();
      await proxy?.close();
      discord = proxy = null;
      return { type: 'closed' };
  }
}

function need<T>(x: T | null, what: string): T {
  if (!x) throw new Error(`no fake ${what} in this process`);
  return x;
}

process.on('message', (m: { seq: number; msg: ToFakes }) => {
  handle(m.msg)
    .catch((err: unknown): FromFakes => ({ type: 'error', message: err instanceof Error ? err.message : String(err) }))
    .then((answer) => {
      // After close, the answer is the last message: the channel goes once it is out.
      process.send?.({ seq: m.seq, msg: answer }, undefined, {}, () => {
        if (m.msg.type === 'close') process.disconnect();
      });
    });
});
// The benchmark went away without closing: nothing to keep this process for.
process.on('disconnect', () => process.exit(0));
