// `npm run rest-proxy` shares the bots' .env: it refuses a DISCORD_API_URL that is its own address. It sends the
// interaction-token routes through a REST without the global count, the rest through the usual one.
import { describe, expect, it } from 'vitest';
import { isTokenRoute, pointsAtItself } from '../../src/rest-proxy.ts';

describe('the REST proxy\'s upstream', () => {
  it('is refused when it is the proxy itself, in any loopback spelling', () => {
    expect(pointsAtItself('http://127.0.0.1:8080/api', '127.0.0.1', 8080)).toBe(true);
    expect(pointsAtItself('http://localhost:8080/api', '127.0.0.1', 8080)).toBe(true);
    expect(pointsAtItself('http://[::1]:8080/api', '0.0.0.0', 8080)).toBe(true);
    expect(pointsAtItself('http://rest-proxy:8080/api', 'rest-proxy', 8080)).toBe(true);
  });
  it('is taken when it is elsewhere (Discord, another port, another host), or unset', () => {
    expect(pointsAtItself(undefined, '127.0.0.1', 8080)).toBe(false);
    expect(pointsAtItself('https://discord.com/api', '0.0.0.0', 8080)).toBe(false);
    expect(pointsAtItself('http://127.0.0.1:9090/api', '127.0.0.1', 8080)).toBe(false);
    expect(pointsAtItself('http://fake.example:8080/api', '127.0.0.1', 8080)).toBe(false);
  });
});

describe('the REST proxy\'s two queues', () => {
  it('takes the interaction-token routes apart: callbacks and every /webhooks/:id/:token route', () => {
    expect(isTokenRoute('/api/v10/interactions/123/tok-en.x/callback?with_response=true')).toBe(true);
    expect(isTokenRoute('/api/v10/webhooks/123/tok_en/messages/%40original')).toBe(true);
    expect(isTokenRoute('/api/v10/webhooks/123/tok_en?wait=true')).toBe(true);
    expect(isTokenRoute('/api/webhooks/123/tok_en/messages/456')).toBe(true);
  });
  it('leaves the routes Discord counts against the global limit to the usual queue', () => {
    expect(isTokenRoute('/api/v10/channels/123/messages/456')).toBe(false);
    expect(isTokenRoute('/api/v10/channels/123/messages')).toBe(false);
    expect(isTokenRoute('/api/v10/webhooks/123')).toBe(false);
    expect(isTokenRoute('/api/v10/users/@me/channels')).toBe(false);
    expect(isTokenRoute('/api/v10/interactions/123/tok/other')).toBe(false);
  });
});
