// `npm run rest-proxy` shares the bots' .env: it refuses a DISCORD_API_URL that is its own address.
import { describe, expect, it } from 'vitest';
import { pointsAtItself } from '../../src/rest-proxy.ts';

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
