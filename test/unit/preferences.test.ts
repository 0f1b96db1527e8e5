// What applies to a user: their choices over the server's defaults, within what the server offers.
import { describe, expect, it } from 'vitest';
import { resolvePrefs, serverPrefsOf, userPrefsOf } from '../../src/store/preferences.ts';

describe('resolvePrefs', () => {
  it('puts the user\'s own choices over the server\'s defaults', () => {
    expect(resolvePrefs({ stylize: 50 }, { defaults: { stylize: 250, raw: true } })).toEqual({ stylize: 50, raw: true });
  });
  it('leaves out a speed or a version the server does not offer', () => {
    expect(resolvePrefs({ mode: 'turbo', version: '6.1' }, { modes: ['fast', 'relax'], versions: ['7'] })).toEqual({});
    expect(resolvePrefs({ mode: 'relax', version: '7' }, { modes: ['fast', 'relax'], versions: ['7'] })).toEqual({ mode: 'relax', version: '7' });
  });
  it('outside a server, the user\'s own choices', () => {
    expect(resolvePrefs({ remix: true }, null)).toEqual({ remix: true });
  });
});

describe('stored values are checked', () => {
  it('drops fields of the wrong type or range', () => {
    expect(userPrefsOf({ stylize: 5000, raw: 'yes', suffix: 'x'.repeat(201), variation: 'strong' })).toEqual({ variation: 'strong' });
    expect(userPrefsOf('garbage')).toEqual({});
    expect(serverPrefsOf({ galleryChannelId: '123456789012345678', versions: 'all' })).toEqual({ galleryChannelId: '123456789012345678' });
  });
});

describe('server settings of the admin side', () => {
  it('keeps limits, access, moderation and the audit channel, checked field by field', () => {
    const stored = {
      limits: { running: 2, daily: -1, serverDaily: 500 },
      access: { channels: ['123456789012345678', 'general'], roles: 'all' },
      moderation: { words: ['gore', '', 42, 'x'.repeat(101)], blocked: ['223456789012345678'] },
      auditChannelId: '323456789012345678',
    };
    expect(serverPrefsOf(stored)).toEqual({
      limits: { running: 2, serverDaily: 500 },
      access: { channels: ['123456789012345678'] },
      moderation: { words: ['gore'], blocked: ['223456789012345678'] },
      auditChannelId: '323456789012345678',
    });
  });
});
