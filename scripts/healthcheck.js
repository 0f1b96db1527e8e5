// The container's HEALTHCHECK (Dockerfile): GET /healthz on the bot's health server, exit 0 on a 2xx.
// Plain JavaScript run by node alone (no tsx): it runs every few seconds and must start fast.
// Reads the same variables as the bot: HEALTH_PORT (the server is off without it) and HEALTH_HOST,
// where a wildcard address (0.0.0.0, ::) is reached on loopback.
const port = process.env.HEALTH_PORT?.trim();
if (!port) {
  console.error('unhealthy: HEALTH_PORT is not set, so the bot serves no /healthz');
  process.exit(1);
}
const configured = process.env.HEALTH_HOST?.trim() || '127.0.0.1';
const host = configured === '0.0.0.0' ? '127.0.0.1' : configured === '::' ? '::1' : configured;
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  await res.body?.cancel();
  if (!res.ok) console.error(`unhealthy: ${url} answered ${res.status}`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`unhealthy: ${url}: ${err?.cause?.code ?? err?.cause?.message ?? err?.message ?? err}`);
  process.exit(1);
}
