// The playground page in real headless Chromium: the people in the channel. Every kind of command
// option, another language, another user refused on someone's buttons, a bot that does not answer.
import { describe, expect, it } from 'vitest';
import { browserSuite, messageEl } from './browser-suite.ts';
import { finishedGrid } from './helpers.ts';

// Callbacks below run in the page; the project compiles without the DOM library.
declare const document: any;

const suite = browserSuite();

describe('the playground in a browser: people', () => {
  it('the composer offers autocomplete, choices and an upload, and the command gets them', async () => {
    const page = await suite.open();
    await page.click('#composer-input');
    await page.keyboard.type('/ec');
    await page.keyboard.press('Enter');
    await page.keyboard.type('red');
    await page.waitForFunction(() => document.querySelectorAll('#popup .item').length === 2);
    expect(await page.locator('#popup .item .n').allTextContents()).toEqual(['red fox', 'red panda']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await page.inputValue('.field[data-option=animal] input')).toBe('red panda');
    await page.click('#add-options button[data-option=style]');
    await page.selectOption('.field[data-option=style] select', 'loud');
    await page.click('#add-options button[data-option=file]');
    await page.setInputFiles('.field[data-option=file] input[type=file]', { name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.locator('.field[data-option=file] .pick', { hasText: 'hello.txt' }).waitFor();
    await page.focus('.field[data-option=animal] input');
    await page.keyboard.press('Enter');
    const said = page.locator('article.msg .content', { hasText: 'RED-PANDA' });
    await said.waitFor();
    expect(await said.innerHTML()).toContain('<strong>RED-PANDA</strong> (locale en-US, file hello.txt 5 bytes)');
    await page.context().close();
  });

  it('switching to zh-CN: the composer, the command and the bot\'s replies are Chinese', async () => {
    const page = await suite.open();
    await page.selectOption('#locale-select', 'zh-CN');
    expect(await page.getAttribute('#composer-input', 'placeholder')).toContain('输入 / 使用命令');
    await page.click('#composer-input');
    await page.keyboard.type('/');
    await page.waitForSelector('#popup .item');
    expect(await page.locator('#popup .item').first().textContent()).toContain('/绘图');
    await page.keyboard.press('Enter');
    expect(await page.locator('.field[data-option=prompt] .fname').textContent()).toBe('提示词:');
    await page.keyboard.type('一只猫 in the rain');
    await page.keyboard.press('Enter');

    const reply = await suite.pg.discord.waitForMessage((m) => m.content.includes('一只猫 in the rain'));
    expect(reply.interaction_metadata.name).toBe('imagine'); // Discord sends the command's own name, whatever the locale
    const el = messageEl(page, reply.id);
    await el.waitFor();
    expect(await el.locator('.context').textContent()).toContain('使用了 /绘图');
    await page.waitForFunction((id) => /\(完成\)/.test(document.getElementById(`m-${id}`)?.textContent ?? ''), reply.id, { timeout: 15_000 });
    await page.context().close();
  });

  it('bob pressing alice\'s button is told privately that it is not his job, and nothing is submitted', async () => {
    const grid = await finishedGrid(suite.pg, 'alice only');
    const alice = await suite.open();
    const bob = await suite.open('?user=bob');
    expect(await bob.inputValue('#user-select')).toBe('bob');
    const actionsBefore = suite.pg.proxy!.requests.filter((r) => r.route === '/mj/submit/action').length;

    await messageEl(bob, grid.id).locator('button', { hasText: /^U2$/ }).click();
    const refusal = bob.locator('article.msg.ephemeral');
    await refusal.waitFor();
    expect(await refusal.locator('.content').textContent()).toContain('not your job');
    expect(await refusal.locator('.ephemeral-note').textContent()).toContain('Only you can see this');

    // Alice never sees bob's private message, in the page or through the API. A public message sent
    // after it is a barrier: once alice's page shows that, it has had everything sent before.
    await suite.pg.control.runCommand({ name: 'echo', options: { animal: 'blue-whale' }, user: 'bob' });
    await alice.locator('article.msg .content', { hasText: 'blue-whale' }).waitFor();
    expect(await alice.locator('article.msg', { hasText: 'not your job' }).count()).toBe(0);
    const seen = (await (await fetch(`${suite.pg.url}api/messages?user=alice`)).json()) as any[];
    expect(seen.some((m: any) => /not your job/.test(m.content))).toBe(false);
    expect(suite.pg.proxy!.requests.filter((r) => r.route === '/mj/submit/action').length).toBe(actionsBefore);

    // Switched to alice, the page no longer shows bob's private message.
    await bob.selectOption('#user-select', 'alice');
    await bob.waitForFunction(() => ![...document.querySelectorAll('article.msg')].some((m) => /not your job/.test(m.textContent ?? '')));
    await alice.context().close();
    await bob.context().close();
  });

  it('a click the bot never answers shows, as in Discord, "The application did not respond"', async () => {
    const grid = await finishedGrid(suite.pg, 'no answer');
    const page = await suite.open();
    // The bot is down for a moment: nobody answers the click within Discord's 3 s.
    await suite.pg.app.stop();
    try {
      await messageEl(page, grid.id).locator('button', { hasText: /^V1$/ }).click();
      await messageEl(page, grid.id).locator('.failed-note', { hasText: 'The application did not respond' }).waitFor({ timeout: 15_000 });
    } finally {
      await suite.pg.restart();
    }
    await page.context().close();
  });
});
