import { describe, expect, it } from 'vitest';
import { parseSubmitResult, parseTask, parseTaskList, progress, submitOutcome } from '../../src/proxy/parse.ts';

describe('parseTask', () => {
  it('reads the seed task as is', () => {
    const t = parseTask({
      id: '1730621826053455', action: 'IMAGINE', customId: '', botType: '', prompt: 'pig --v 6.1', promptEn: 'pig --v 6.1',
      description: 'Submit success', state: '', submitTime: 1730621826053, startTime: 1730621828024, finishTime: 1730621855817,
      imageUrl: 'https://cdn.example.com/a.png', status: 'SUCCESS', progress: '100%', failReason: '',
      buttons: [{ customId: 'MJ::JOB::upsample::1::h', emoji: '', label: 'U1', type: 2, style: 2 }], maskBase64: '',
      properties: { finalPrompt: 'pig --v 6.1', finalZhPrompt: '' },
    })!;
    expect(t.id).toBe('1730621826053455');
    expect(t.status).toBe('SUCCESS');
    expect(t.failReason).toBeNull();
    expect(t.buttons).toHaveLength(1);
    expect(t.properties.finalPrompt).toBe('pig --v 6.1');
    expect(t.properties.finalZhPrompt).toBeUndefined();
  });

  it('tolerates relay quirks: numeric ids, status "", 0 times, null properties, link buttons, {url} lists', () => {
    const t = parseTask({
      id: 1320098173412546, status: '', progress: null, submitTime: 0, properties: null, imageUrl: '',
      buttons: [{ label: 'Web', type: 2, style: 5 }, null, { customId: 'x::1', emoji: null, label: null }],
      videoUrls: [{ url: 'https://v.example/0.mp4' }, 'https://v.example/1.mp4', { nope: 1 }], imageUrls: null,
    })!;
    expect(t.id).toBe('1320098173412546');
    expect(t.status).toBe('NOT_START');
    expect(t.progress).toBe('');
    expect(t.submitTime).toBeNull();
    expect(t.imageUrl).toBeNull();
    expect(t.properties).toEqual({});
    expect(t.buttons.map((b) => b.customId)).toEqual(['x::1']);
    expect(t.videoUrls).toEqual(['https://v.example/0.mp4', 'https://v.example/1.mp4']);
    expect(t.imageUrls).toEqual([]);
  });

  it('keeps an emoji sent as Discord’s object, as a custom emoji string or its name', () => {
    const t = parseTask({ id: '1', buttons: [
      { customId: 'a::1', emoji: { name: 'upscale_1', id: '1122334455667788990' } },
      { customId: 'b::1', emoji: { name: '🔄', id: null } },
      { customId: 'c::1', emoji: { name: 'spin', id: '1122334455667788991', animated: true } },
    ] })!;
    expect(t.buttons.map((b) => b.emoji)).toEqual(['<:upscale_1:1122334455667788990>', '🔄', '<a:spin:1122334455667788991>']);
  });

  it('rejects what is not a task', () => {
    expect(parseTask(null)).toBeNull();
    expect(parseTask('x')).toBeNull();
    expect(parseTask({ code: 4, description: 'x' })).toBeNull();
    expect(parseTaskList({})).toBeNull();
    expect(parseTaskList([{ id: 'a' }, 3, { id: '' }])!.map((t) => t.id)).toEqual(['a']);
  });

  it('reads fields that forks send as JSON text, Discord component rows and {url} links', () => {
    const t = parseTask({
      id: '1',
      buttons: JSON.stringify([{ customId: 'a::1', label: 'U1' }]),
      properties: '{"finalPrompt":"cat","numberOfQueues":"2.7"}',
      imageUrl: { url: ' https://cdn.example/a.png ' },
      imageUrls: 'https://cdn.example/one.png',
      videoUrl: [{ url: 'https://cdn.example/v.mp4' }],
      videoUrls: '["https://cdn.example/0.mp4"]',
    })!;
    expect(t.buttons.map((b) => b.customId)).toEqual(['a::1']);
    expect(t.properties).toMatchObject({ finalPrompt: 'cat', numberOfQueues: 2 });
    expect(t.imageUrl).toBe('https://cdn.example/a.png');
    expect(t.imageUrls).toEqual(['https://cdn.example/one.png']);
    expect(t.videoUrl).toBe('https://cdn.example/v.mp4');
    expect(t.videoUrls).toEqual(['https://cdn.example/0.mp4']);
    const rows = parseTask({ id: '2', buttons: [{ type: 1, components: [{ type: 2, custom_id: 'b::1', emoji: { name: '🔄' } }, { type: 2, style: 5, url: 'https://x.example' }] }] })!;
    expect(rows.buttons).toEqual([{ customId: 'b::1', emoji: '🔄', label: '', type: 2, style: 2 }]);
    expect(parseTask({ id: '3', buttons: 'not json', properties: '{broken' })).toMatchObject({ buttons: [], properties: {} });
  });

  it('reads status spellings and dates forks use; an unknown status is "not started"', () => {
    const st = (status: unknown) => parseTask({ id: '1', status })!.status;
    expect([st('success'), st(' in_progress '), st('in-progress'), st('FAILED'), st('cancelled'), st('RUNNING'), st('PAUSED'), st(5), st(null)])
      .toEqual(['SUCCESS', 'IN_PROGRESS', 'IN_PROGRESS', 'FAILURE', 'CANCEL', 'IN_PROGRESS', 'NOT_START', 'NOT_START', 'NOT_START']);
    // trueai's cancel writes FAILURE "取消任务": a cancel; any other failure stays one.
    expect(parseTask({ id: '1', status: 'FAILURE', failReason: '取消任务' })!).toMatchObject({ status: 'CANCEL', failReason: '取消任务' });
    expect(parseTask({ id: '1', status: 'FAILURE', failReason: '任务超时' })!.status).toBe('FAILURE');
    const t = parseTask({ id: '1', submitTime: '1730621826053', startTime: '2024-11-03T08:17:06Z', finishTime: 'soon' })!;
    expect([t.submitTime, t.startTime, t.finishTime]).toEqual([1730621826053, Date.UTC(2024, 10, 3, 8, 17, 6), null]);
    expect(parseTask({ id: '1', failReason: { message: 'boom' } })!.failReason).toBe('boom');
  });

  it('unwraps a task sent inside a success envelope, never inside an error', () => {
    expect(parseTask({ code: 1, description: '成功', result: { id: 7, status: 'SUCCESS' } })).toMatchObject({ id: '7', status: 'SUCCESS' });
    expect(parseTask({ code: 0, data: { id: '8' } })!.id).toBe('8');
    expect(parseTask({ code: 4, description: 'x', result: { id: '9' } })).toBeNull();
    expect(parseTask({ success: false, data: { id: '9' } })).toBeNull();
    expect(parseTask({ code: 1, result: '1320098173412546' })).toBeNull();
  });

  it('finds the list inside {code, result}, {data}, Spring and MyBatis pages', () => {
    const ids = (raw: unknown) => parseTaskList(raw)?.map((t) => t.id) ?? null;
    expect(ids({ code: 1, description: 'ok', result: [{ id: 'a' }] })).toEqual(['a']);
    expect(ids({ data: [{ id: 'b' }] })).toEqual(['b']);
    expect(ids({ content: [{ id: 'c' }], totalElements: 1 })).toEqual(['c']);
    expect(ids({ code: 0, data: { records: [{ id: 'd' }], total: 1 } })).toEqual(['d']);
    expect(ids({ code: 4, description: 'task_not_found', result: [] })).toBeNull();
    expect(ids({ id: 'e' })).toBeNull();
  });

  it('never throws on JSON that cannot become a primitive, and keeps text well-formed', () => {
    const evil = JSON.parse('{"toString": null, "valueOf": null}');
    expect(() => parseTask({ id: '1', code: evil, buttons: [{ customId: 'a', type: evil, style: evil }], properties: { numberOfQueues: evil } })).not.toThrow();
    expect(parseTaskList({ code: evil, result: [{ id: 'a' }] })).toBeNull();
    expect(parseSubmitResult({ code: evil, result: '1' })).toBeNull();
    const t = parseTask(JSON.parse('{"id": "1", "prompt": "a \\ud83d b \\udc00", "buttons": [{"customId": "x", "label": "\\ud83e"}]}'))!;
    expect(t.prompt).toBe('a \uFFFD b \uFFFD');
    expect(t.buttons[0]?.label).toBe('\uFFFD');
  });

  it('normalises progress', () => {
    expect(progress('45%')).toBe('45%');
    expect(progress(62)).toBe('62%');
    expect(progress('abc')).toBe('');
    expect(progress('150%')).toBe('100%');
    expect(progress(0.46)).toBe('46%');
    expect(progress('(62%)')).toBe('62%');
  });
});

describe('submitOutcome', () => {
  const sr = (raw: unknown) => parseSubmitResult(raw)!;
  it('code 1 is accepted; numeric result becomes a string', () => {
    expect(submitOutcome(sr({ code: 1, description: '提交成功', result: 1320098173412546 }))).toMatchObject({ kind: 'accepted', taskId: '1320098173412546' });
  });
  it('code 22 and a relay-rewritten queue description are queued with the position', () => {
    expect(submitOutcome(sr({ code: 22, description: '排队中，前面还有2个任务', result: '1', properties: { numberOfQueues: 2 } }))).toMatchObject({ kind: 'queued', queuePosition: 2 });
    expect(submitOutcome(sr({ code: 1, description: 'In queue, there are 67 tasks ahead', result: '1' }))).toMatchObject({ kind: 'queued', queuePosition: 67 });
    expect(submitOutcome(sr({ code: 1, description: '排队中，前面还有5个任务', result: '1', properties: null }))).toMatchObject({ kind: 'queued', queuePosition: 5 });
    // Relay docs print the Chinese comma as ASCII; codes and properties arrive as text too.
    expect(submitOutcome(sr({ code: 1, description: '排队中,前面还有4个任务', result: '1' }))).toMatchObject({ kind: 'queued', queuePosition: 4 });
    expect(submitOutcome(sr({ code: '22', description: 'In queue', result: 1, properties: '{"numberOfQueues": 6}' }))).toMatchObject({ kind: 'queued', queuePosition: 6 });
  });
  it('code 21 and a relay-rewritten modal description are modal', () => {
    expect(submitOutcome(sr({ code: 21, description: 'Waiting for window confirm', result: '9', properties: { finalPrompt: 'cat --zoom 2', remix: true } }))).toMatchObject({ kind: 'modal', taskId: '9', finalPrompt: 'cat --zoom 2' });
    expect(submitOutcome(sr({ code: 1, description: 'Waiting for window confirm', result: '9' }))).toMatchObject({ kind: 'modal' });
    expect(submitOutcome(sr({ code: 1, description: '窗口等待', result: '9' }))).toMatchObject({ kind: 'modal' });
  });
  it('novicezk 21 "任务已存在" is a plain acceptance', () => {
    expect(submitOutcome(sr({ code: 21, description: '任务已存在', result: '7', properties: { status: 'SUCCESS' } }))).toMatchObject({ kind: 'accepted', taskId: '7' });
  });
  it('"Imagine all" answers several ids', () => {
    expect(submitOutcome(sr({ code: 1, description: 'ok', result: 'a,b,c,d' }))!.taskIds).toEqual(['a', 'b', 'c', 'd']);
  });
  it('error codes and missing ids are not outcomes', () => {
    expect(submitOutcome(sr({ code: 24, description: '可能包含敏感词', result: null }))).toBeNull();
    expect(submitOutcome(sr({ code: 23, description: '队列已满，请稍后尝试', result: '1' }))).toBeNull();
    expect(submitOutcome(sr({ code: 24, description: '可能包含敏感词', result: null, properties: { promptEn: 'x', bannedWord: 'y' } }))).toBeNull();
    expect(submitOutcome(sr({ code: 1, description: 'ok', result: '' }))).toBeNull();
    expect(parseSubmitResult({ description: 'no code' })).toBeNull();
  });
});
