// The read health's failure as /info shows it to admins: since when, the error's code, HTTP status
// and backend code (never its host or detail), whether the replies say so; cleared when reads work.
import { expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { ProxyError } from '../../src/proxy/errors.ts';
import { BackendsReadHealth, OUTAGE_AFTER } from '../../src/tasks/read-health.ts';

const logger = createLogger({ level: 'error', write: () => undefined });

it('per lane: since the first failure, the latest cause (code, status, backend code), the outage after OUTAGE_AFTER passes; gone once a read works', () => {
  const outages: string[] = [];
  const h = new BackendsReadHealth({ logger, proxy: { host: 'relay.example', authStyle: 'bearer' }, baseMs: 1000, maxMs: 60_000, random: () => 0.5, onOutage: (b, down) => outages.push(`${b}:${down}`) });
  expect(h.failures().size).toBe(0);
  h.failed('relay-b', 1000, new ProxyError('UNAVAILABLE', { route: '/mj/task/list-by-condition', host: 'relay.example', detail: 'ECONNREFUSED 10.0.0.7:8080' }));
  expect(h.failures().get('relay-b')).toEqual({ since: 1000, code: 'UNAVAILABLE', outage: false });
  for (let i = 1; i < OUTAGE_AFTER; i++) h.failed('relay-b', 1000 + i, new ProxyError('HTTP_5XX', { route: '/mj/task/list-by-condition', status: 502, proxyCode: 9 }));
  expect(h.failures().get('relay-b')).toEqual({ since: 1000, code: 'HTTP_5XX', status: 502, proxyCode: 9, outage: true });
  expect(JSON.stringify([...h.failures()])).not.toMatch(/relay\.example|10\.0\.0\.7/);
  expect(outages).toEqual(['relay-b:true']);
  h.failed('other', 5000, new Error('boom'));
  expect(h.failures().get('other')).toEqual({ since: 5000, code: 'ERROR', outage: false });
  h.worked('relay-b', 9000);
  expect([...h.failures().keys()]).toEqual(['other']);
  expect(outages).toEqual(['relay-b:true', 'relay-b:false']);
});
