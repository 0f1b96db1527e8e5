// Whether the bot can do its work now, check by check: the gateway session is ready (it receives
// interactions), the store answers a cheap ping, and the backend's circuit is not open (new jobs
// would be refused). Each check is reported, so a probe's 503 names what failed. Details are
// codes and states only: the body may be read by anyone who can reach the port.
import { Status, type Client } from 'discord.js';
import type { CircuitState } from '../proxy/health.ts';

export interface ReadinessSources {
  /** The gateway session: 'ready', another discord.js status ('connecting', 'resuming' …), or 'off' (started without one). */
  gateway(): string;
  /** The store was reached once, and the records waiting for a write it refused. */
  store: { readonly ready: boolean; readonly pendingWrites: number };
  ping(): Promise<void>;
  circuit(): { state: CircuitState; consecutiveFailures: number };
}

export interface Check {
  ok: boolean;
  [detail: string]: unknown;
}

export interface Readiness {
  ready: boolean;
  checks: { gateway: Check; store: Check; backend: Check };
}

/** A ping that has not answered after this long counts as failed (a readiness probe waits a few seconds at most). */
export const PING_TIMEOUT_MS = 2_000;

/** The gateway's state as a word: 'ready' once every shard is. */
export function gatewayStatus(client: Client): string {
  const shards = [...client.ws.shards.values()];
  if (shards.length === 0) return 'idle';
  const waiting = shards.find((s) => s.status !== Status.Ready);
  return waiting ? (Status[waiting.status] ?? 'unknown').toLowerCase() : 'ready';
}

export async function checkReadiness(s: ReadinessSources, timeoutMs = PING_TIMEOUT_MS): Promise<Readiness> {
  const status = s.gateway();
  const gateway: Check = { ok: status === 'ready' || status === 'off', status };
  const { state, consecutiveFailures } = s.circuit();
  const backend: Check = { ok: state !== 'open', circuit: state, consecutiveFailures };
  const store = await storeCheck(s, timeoutMs);
  return { ready: gateway.ok && store.ok && backend.ok, checks: { gateway, store, backend } };
}

async function storeCheck(s: ReadinessSources, timeoutMs: number): Promise<Check> {
  const pendingWrites = s.store.pendingWrites;
  if (!s.store.ready) return { ok: false, error: 'not opened yet', pendingWrites };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })), timeoutMs);
  });
  try {
    await Promise.race([s.ping(), late]);
    return { ok: true, pendingWrites };
  } catch (err) {
    return { ok: false, error: innermostCode(err), pendingWrites };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A failure as a code, the innermost one (`ECONNREFUSED`, `SQLITE_BUSY`, `TIMEOUT`): never its
 * message, which may name a host or hold a URL. Innermost, unlike util/error-code.ts's first: the
 * store's own StoreError wraps the driver's code, which is what an operator needs here.
 */
function innermostCode(err: unknown): string {
  let code: string | undefined;
  let e = err as { code?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^[A-Z][A-Z0-9_]{0,39}$/.test(e.code)) code = e.code;
  }
  return code ?? 'ERROR';
}
