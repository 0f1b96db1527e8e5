// What applies in a server: the tighter of the operator's limit (env) and the server's own; the
// limits modal's boxes, checked strictly against the operator's ceiling.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { accessRefusal, effectiveLimits, parseLimits } from '../../src/jobs/limits.ts';

const config = (env: Record<string, string> = {}) => loadConfig({ DISCORD_TOKEN: 't', DISCORD_APP_ID: '123456789012345678', MJ_BASE_URL: 'http://127.0.0.1:1', ...env });

describe('server limits', () => {
  it('the server can only tighten the operator’s limits; without an operator limit its own applies', () => {
    const c = config({ USER_MAX_CONCURRENT: '3', USER_MAX_DAILY: '0' });
    expect(effectiveLimits(c, undefined)).toEqual({ running: { limit: 3, server: false }, daily: { limit: 0, server: false }, serverDaily: { limit: 0, server: false } });
    expect(effectiveLimits(c, { running: 1, daily: 20, serverDaily: 200 })).toEqual({ running: { limit: 1, server: true }, daily: { limit: 20, server: true }, serverDaily: { limit: 200, server: true } });
    // Above (or at) the operator's: the operator's applies.
    expect(effectiveLimits(c, { running: 5 }).running).toEqual({ limit: 3, server: false });
    expect(effectiveLimits(c, { running: 3 }).running).toEqual({ limit: 3, server: false });
  });

  it('the modal’s boxes: empty for the default, whole numbers from 1 to the ceiling, nothing else', () => {
    const c = config({ USER_MAX_CONCURRENT: '3', USER_MAX_DAILY: '50' });
    expect(parseLimits(c, { running: '', daily: ' ', serverDaily: '' })).toBeUndefined();
    expect(parseLimits(c, { running: ' 2 ', daily: '50', serverDaily: '1000000' })).toEqual({ running: 2, daily: 50, serverDaily: 1_000_000 });
    for (const [box, code] of [
      [{ running: '4' }, 'LIMIT_ABOVE_CEILING'], [{ daily: '51' }, 'LIMIT_ABOVE_CEILING'], [{ serverDaily: '1000001' }, 'LIMIT_INVALID'],
      [{ running: '0' }, 'LIMIT_INVALID'], [{ running: '-1' }, 'LIMIT_INVALID'], [{ running: '1e1' }, 'LIMIT_INVALID'], [{ running: '２' }, 'LIMIT_INVALID'],
    ] as const) expect(() => parseLimits(c, box), JSON.stringify(box)).toThrow(expect.objectContaining({ code }));
  });

  it('a server’s lists: a channel not on the list, or none of the roles, is refused; empty lists refuse no one', () => {
    expect(accessRefusal(undefined, '1', [])).toBeNull();
    expect(accessRefusal({ channels: [], roles: [] }, '1', [])).toBeNull();
    expect(accessRefusal({ channels: ['2'] }, '1', [])).toBe('NOT_ALLOWED_CHANNEL');
    expect(accessRefusal({ channels: ['1'], roles: ['9'] }, '1', ['8'])).toBe('NOT_ALLOWED_ROLE');
    expect(accessRefusal({ channels: ['1'], roles: ['9'] }, '1', ['8', '9'])).toBeNull();
  });
});
