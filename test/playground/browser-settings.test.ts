// The playground page in real headless Chromium: /settings' private panel with its select menus
// (one value, several values, a channel, roles), buttons and the limits form, each change shown in place.
import { describe, expect, it } from 'vitest';
import { browserSuite, messageEl } from './browser-suite.ts';

const suite = browserSuite();

describe('the playground in a browser: /settings', () => {
  it('opens the panel, picks a version, toggles RAW, and an admin sets the offered versions and the gallery', async () => {
    const page = await suite.open();
    const alice = suite.pg.discord.users.alice;
    await page.click('#composer-input');
    await page.keyboard.type('/settings');
    await page.waitForSelector('#popup .item');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    const panel = await suite.pg.discord.waitForMessage((m) => (m.flags & 64) === 64 && m.content.startsWith('**Your settings**'));
    const el = messageEl(page, panel.id);
    await el.waitFor();

    await el.locator('select[data-custom-id="mj:set:u:ver"]').selectOption('7');
    await page.waitForFunction((id) => /Midjourney V7 \(yours\)/.test((globalThis as any).document.getElementById(`m-${id}`)?.textContent ?? ''), panel.id);
    await el.locator('button[data-custom-id="mj:set:u:raw"]').click();
    await page.waitForFunction((id) => /RAW style: on \(yours\)/.test((globalThis as any).document.getElementById(`m-${id}`)?.textContent ?? ''), panel.id);
    expect(await suite.pg.app.stores.prefs.user(alice.id)).toMatchObject({ version: '7', raw: true });
    expect(await el.locator('button[data-custom-id="mj:set:u:raw"]').getAttribute('class')).toContain('s3');

    // The server's panel: several versions at once, then a channel.
    await el.locator('button[data-custom-id="mj:set:o:open"]').click();
    const vers = el.locator('select[data-custom-id="mj:set:o:vers"]');
    await vers.waitFor();
    await vers.selectOption(['7', 'niji 6']);
    await el.locator('button[data-apply="mj:set:o:vers"]').click();
    await page.waitForFunction((id) => /Versions offered: Midjourney V7, Niji 6/.test((globalThis as any).document.getElementById(`m-${id}`)?.textContent ?? ''), panel.id);
    await el.locator('select[data-custom-id="mj:set:o:gal"]').selectOption(suite.pg.discord.channelId);
    await page.waitForFunction((id) => /Gallery channel: #general/.test((globalThis as any).document.getElementById(`m-${id}`)?.textContent ?? ''), panel.id);
    expect(await suite.pg.app.stores.prefs.server(suite.pg.discord.guildId)).toMatchObject({ versions: ['7', 'niji 6'], galleryChannelId: suite.pg.discord.channelId });
    await page.context().close();
  });
  it('an admin opens Limits & access, keeps the bot to a role and lowers the running limit in its form', async () => {
    const page = await suite.open();
    await page.click('#composer-input');
    await page.keyboard.type('/settings');
    await page.waitForSelector('#popup .item');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    const panel = await suite.pg.discord.waitForMessage((m) => (m.flags & 64) === 64 && m.content.startsWith('**Your settings**'));
    const el = messageEl(page, panel.id);
    await el.waitFor();
    await el.locator('button[data-custom-id="mj:set:o:open"]').click();
    await el.locator('button[data-custom-id="mj:set:l:open"]').click();
    const roles = el.locator('select[data-custom-id="mj:set:l:roles"]');
    await roles.waitFor();
    const artists = suite.pg.discord.roleList().find((r) => r.name === 'artists')!.id;
    await roles.selectOption([artists]);
    await el.locator('button[data-apply="mj:set:l:roles"]').click();
    await page.waitForFunction((id) => /Roles: @artists/.test((globalThis as any).document.getElementById(`m-${id}`)?.textContent ?? ''), panel.id);

    await el.locator('button[data-custom-id="mj:set:l:lim"]').click();
    const dialog = page.locator('dialog#modal');
    await dialog.waitFor();
    expect(await page.locator('#modal-title').textContent()).toBe('Limits');
    await dialog.locator('input[name="running"]').fill('1');
    await page.click('#modal-submit');
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForFunction((id) => /Running jobs per member: 1 \(set here; operator’s limit: 3\)/.test((globalThis as any).document.getElementById(`m-${id}`)?.textContent ?? ''), panel.id);
    expect(await suite.pg.app.stores.prefs.server(suite.pg.discord.guildId)).toMatchObject({ limits: { running: 1 }, access: { roles: [artists] } });
    await page.context().close();
  });
  it('an admin picks #audit as the audit channel; the sidebar shows that channel with its lines', async () => {
    const page = await suite.open();
    const { discord } = suite.pg;
    const audit = discord.channelList().find((c) => c.name === 'audit')!.id;
    await page.click('#composer-input');
    await page.keyboard.type('/settings');
    await page.waitForSelector('#popup .item');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    const panel = await discord.waitForMessage((m) => (m.flags & 64) === 64 && m.content.startsWith('**Your settings**') && !/V7 \(yours\)/.test(m.content));
    const el = messageEl(page, panel.id);
    await el.locator('button[data-custom-id="mj:set:o:open"]').click();
    const select = el.locator('select[data-custom-id="mj:set:o:aud"]');
    await select.waitFor();
    await select.selectOption(audit);
    await page.waitForFunction((id) => /Audit channel: #audit/.test((globalThis as any).document.getElementById(`m-${id}`)?.textContent ?? ''), panel.id);

    const line = await discord.waitForMessage((m) => m.channel_id === audit && m.content.includes('changed Audit channel'));
    await page.click('.sidebar .channel[data-channel="audit"]');
    await messageEl(page, line.id).waitFor();
    expect(await messageEl(page, line.id).textContent()).toMatch(/changed Audit channel: none → #audit/);
    expect(await page.textContent('#channel-title')).toBe('audit');
    expect(await page.getAttribute('#composer-input', 'placeholder')).toMatch(/#audit/);
    // #general's messages are not shown here.
    expect(await messageEl(page, panel.id).count()).toBe(0);
    await page.context().close();
  });
});
