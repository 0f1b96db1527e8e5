import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { parseTask } from '../../src/proxy/parse.ts';
import { createScrubber, scrubDeep, secretsOf } from '../../src/secrets.ts';

const KEY = 'sk-Zq8vN3xR7tW2yB5m/K9+pL4s=';
const b64 = (s: string, enc: BufferEncoding = 'base64') => Buffer.from(s).toString(enc);

describe('createScrubber', () => {
  const scrub = createScrubber([KEY]);

  it('masks the key raw, URL-encoded (either hex case, form style), base64 and base64url, at any byte alignment', () => {
    const echoes = [
      KEY,
      encodeURIComponent(KEY),
      encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
      b64(KEY),
      b64(KEY, 'base64url'),
      b64(`Bearer ${KEY}`),
      b64(`u:${KEY}`),
      b64(`ab${KEY}xyz`, 'base64url'),
    ];
    for (const echo of echoes) {
      const out = scrub(`upstream said <${echo}> and stopped`);
      // What stands around the key in a longer base64 text (the encoded "Bearer ") stays.
      expect(out, echo).toMatch(/^upstream said <[\w+/=-]{0,12}\*\*\*[\w+/=-]{0,6}> and stopped$/);
    }
  });

  it('masks a long fragment of the key (its tail, its head), and leaves ordinary text alone', () => {
    expect(scrub(`key ending in …${KEY.slice(-10)}`)).toBe('key ending in …***');
    expect(scrub(`key ${KEY.slice(0, 12)}…`)).toBe('key ***…');
    expect(scrub('a red fox in snow --ar 3:2 https://cdn.example/a.png')).toBe('a red fox in snow --ar 3:2 https://cdn.example/a.png');
    expect(scrub('sk-')).toBe('sk-');
  });

  it('masks short secrets whole only, and ignores ones too short to be secrets', () => {
    const s = createScrubber(['hunter2', 'abc', undefined, '']);
    expect(s('pw hunter2 and abc')).toBe('pw *** and abc');
    expect(s('hunter')).toBe('hunter');
  });
});

describe('scrubDeep', () => {
  const scrub = createScrubber([KEY]);

  it('masks every string and key, copying only what held a secret; the input is left as it was', () => {
    const input = JSON.parse(`{"id":"1","buttons":[{"label":"U1"},{"label":"x${KEY}"}],"properties":{"${KEY}":"v","ok":{"deep":"yes"}},"n":2,"__proto__":{"p":1}}`);
    const before = JSON.stringify(input);
    const out = scrubDeep(input, scrub);
    expect(out).not.toBe(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(out.buttons[1].label).toBe('x***');
    expect(Object.keys(out.properties)).toEqual(['***', 'ok']);
    // What held no secret is shared, and the "__proto__" key stays data.
    expect(out.buttons[0]).toBe(input.buttons[0]);
    expect(out.properties.ok).toBe(input.properties.ok);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['id', 'buttons', 'properties', 'n', '__proto__']);
  });

  it('answers the value itself when nothing in it is a secret', () => {
    const task = JSON.parse('{"id":"1","prompt":"a fox","buttons":[{"label":"U1"}],"properties":{"finalPrompt":"a fox"}}');
    expect(scrubDeep(task, scrub)).toBe(task);
  });
});

describe('parseTask with a scrubber', () => {
  const scrub = createScrubber([KEY]);

  it('masks a secret in the field whose case reading changes (action), and one a JSON-text field hides behind \\u escapes', () => {
    const escaped = JSON.stringify([{ customId: 'MJ::JOB::upsample::1::ab', label: `U1 ${KEY}` }]).replace(/[a-z]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
    const raw = { id: '17', status: 'SUCCESS', action: `imagine ${KEY}`, buttons: escaped, properties: JSON.stringify({ finalPrompt: `a fox ${KEY}` }) };
    const task = parseTask(raw, scrub)!;
    expect(task.action).toBe('IMAGINE ***');
    expect(task.buttons[0]).toMatchObject({ customId: 'MJ::JOB::upsample::1::ab', label: 'U1 ***' });
    expect(task.properties.finalPrompt).toBe('a fox ***');
    expect(JSON.stringify(task).toLowerCase()).not.toContain(KEY.slice(3, 13).toLowerCase());
  });
});

describe('secretsOf', () => {
  it('collects every configured secret: keys, tokens, and the credentials inside every URL', () => {
    const config = loadConfig({
      DISCORD_TOKEN: 'MTAx.discord-token-value-123',
      DISCORD_APP_ID: '100000000000000001',
      DISCORD_API_URL: 'https://apiuser:api-pass-9f8e@discord.example/api',
      MJ_BASE_URL: 'https://relay:base-pass-1a2b@relay.example/mj-fast?token=query-token-77aa&mode=fast',
      MJ_API_KEY: 'Bearer sk-main-key-0000',
      MJ_MODES: 'relax=https://u:mode-key-55bb@relay.example/mj-relax',
      NOTIFY_HOOK_URL: 'https://hook.example/cb?sig=hook-url-sig-33cc',
      NOTIFY_HOOK_SECRET: 'hook-secret-0123456789abcdef',
      STORE_URL: 'redis://:store-pass-44dd@127.0.0.1:6379',
    });
    const secrets = secretsOf(config);
    for (const s of ['MTAx.discord-token-value-123', 'api-pass-9f8e', 'base-pass-1a2b', 'query-token-77aa', 'sk-main-key-0000', 'mode-key-55bb', 'hook-url-sig-33cc', 'hook-secret-0123456789abcdef', 'store-pass-44dd']) {
      expect(secrets, s).toContain(s);
    }
    // Settings are not secrets: masking "fast" would mangle every "(fast)".
    expect(secrets).not.toContain('fast');
    const scrub = createScrubber(secrets);
    // The encoded "relay:" before the password stays (and the last character it shares with the password's end).
    expect(scrub(`relay says ${b64('relay:base-pass-1a2b')} ${encodeURIComponent('mode-key-55bb')}`)).toMatch(/^relay says cmVsYXk6\*\*\*[\w+/=]{0,3} \*\*\*$/);
  });
});
