// The health server as the app runs it (HEALTH_PORT set): its address, who may read /metrics, the
// readiness checks' sources, and, when HEALTH_PORT is NOTIFY_HOOK_PORT, the receiver on the same
// port. Off (null) when HEALTH_PORT is unset.
import type { Client } from 'discord.js';
import type { Config } from '../config.ts';
import type { ProxyHealth } from '../proxy/health.ts';
import type { Stores } from '../store/create-store.ts';
import type { NotifyHookServer } from '../tasks/notify-hook.ts';
import { HealthServer, metricsAccess } from './health-server.ts';
import type { Metrics } from './metrics.ts';
import { checkReadiness, gatewayStatus } from './readiness.ts';

export interface HealthParts {
  config: Config;
  metrics: Metrics;
  client: Client;
  /** false: the app runs without a gateway session (a worker), which readiness then does not ask for. */
  gateway: boolean;
  stores: Stores;
  circuit: Pick<ProxyHealth, 'state' | 'consecutiveFailures'>;
  /** The notifyHook receiver, when push is on. */
  receiver: NotifyHookServer | null;
}

export function createHealthServer(p: HealthParts): HealthServer | null {
  const c = p.config;
  if (c.HEALTH_PORT === undefined) return null;
  // The config made sure a shared port has one address too.
  const receiver = p.receiver && c.HEALTH_PORT === c.NOTIFY_HOOK_PORT ? p.receiver : null;
  p.metrics.collectProcessMetrics();
  return new HealthServer({
    host: c.HEALTH_HOST,
    port: c.HEALTH_PORT,
    metrics: p.metrics,
    access: metricsAccess({ host: c.HEALTH_HOST, token: c.METRICS_TOKEN, sharedWithReceiver: receiver !== null }),
    token: c.METRICS_TOKEN,
    others: receiver ? (req, res) => receiver.handle(req, res) : undefined,
    readiness: () =>
      checkReadiness({
        gateway: () => (p.gateway ? gatewayStatus(p.client) : 'off'),
        store: p.stores.health,
        ping: () => p.stores.ping(),
        circuit: () => ({ state: p.circuit.state, consecutiveFailures: p.circuit.consecutiveFailures }),
      }),
  });
}
