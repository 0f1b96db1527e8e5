// /settings custom_ids: parsed strictly; they name a panel, a control and a button's value, nothing else.
import { describe, expect, it } from 'vitest';
import { customIds, parseCustomId } from '../../src/custom-id.ts';

describe('settings custom_ids', () => {
  it('round-trip', () => {
    expect(parseCustomId(customIds.settings('u', 's', '250'))).toEqual({ kind: 'settings', panel: 'u', control: 's', value: '250' });
    expect(parseCustomId(customIds.settings('d', 'ver'))).toEqual({ kind: 'settings', panel: 'd', control: 'ver', value: null });
    expect(parseCustomId(customIds.settings('o', 'gal'))).toEqual({ kind: 'settings', panel: 'o', control: 'gal', value: null });
    expect(customIds.settings('u', 'vis', 'private')).toBe('mj:set:u:vis:private');
    for (const c of ['open', 'lim', 'limm', 'chan', 'roles', 'ui'] as const) expect(parseCustomId(customIds.settings('l', c))).toEqual({ kind: 'settings', panel: 'l', control: c, value: null });
  });

  it('refuse anything else: unknown panels, controls and values, a control on a panel without it, extra parts', () => {
    for (const id of [
      'mj:set', 'mj:set:u', 'mj:set:x:s:250', 'mj:set:u:nope', 'mj:set:u:s:251', 'mj:set:u:s', 'mj:set:u:ver:7',
      'mj:set:o:s:250', 'mj:set:u:gal', 'mj:set:d:vers', 'mj:set:u:raw:1', 'mj:set:u:s:250:x', 'mj:set:u:toString',
      'mj:set:u:__proto__', 'mj:set:u:vis:Public', 'mj:set:u:open:123456789012345678',
      // Panel l's controls live on panel l only, and carry no value (limits come from the modal, lists from the selects).
      'mj:set:l:ver', 'mj:set:l:s:250', 'mj:set:l:gal', 'mj:set:o:chan', 'mj:set:u:roles', 'mj:set:d:lim', 'mj:set:l:lim:3', 'mj:set:l:ui:1', 'mj:set:l:roles:123456789012345678',
    ]) expect(parseCustomId(id), id).toBeNull();
  });
});

describe('moderation custom_ids (panel m)', () => {
  it('round-trip; its controls live on panel m only', () => {
    for (const c of ['words', 'wordsm', 'wclear', 'block', 'open'] as const) expect(parseCustomId(customIds.settings('m', c))).toEqual({ kind: 'settings', panel: 'm', control: c, value: null });
    for (const id of ['mj:set:u:words', 'mj:set:o:block', 'mj:set:d:wordsm', 'mj:set:m:s:250', 'mj:set:m:block:1', 'mj:set:m:wclear:x']) expect(parseCustomId(id), id).toBeNull();
  });
});
