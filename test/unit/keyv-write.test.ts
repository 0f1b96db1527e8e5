// Records written quicker (src/store/key-value.ts writeQuickly): the same text as Keyv's own serializer
// for every value, JSON.stringify's for the plain ones, Keyv's own for the rest.
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { plainJson, readTolerantly, writeQuickly } from '../../src/store/key-value.ts';

const record = {
  taskId: '1710000000000001',
  kind: 'imagine',
  prompt: 'a fox **bold** <@123> https://example.com/x.png 🦊 --ar 3:2',
  ownerId: '123',
  progress: '46%',
  buttons: [{ customId: 'MJ::JOB::upsample::1::abc', emoji: '', label: 'U1', style: 2, type: 2 }],
  properties: { finalPrompt: 'a fox', notifyHook: null, nested: [1, 2.5, -0, null, true, { deep: [['x']] }] },
  shown: { hash: 'abc', at: 1710000000000 },
  skipped: undefined,
  empty: '',
  unicode: 'é \u2028 \u0000 "quoted" \\ back',
};

const cases: [string, unknown][] = [
  ['a record', record],
  ['a string starting with ":" (escaped by Keyv)', { ...record, prompt: ':: a colon first' }],
  ['a key starting with ":" (keys are not escaped)', { ':key': 'v' }],
  ['a Buffer', { image: Buffer.from('png bytes') }],
  ['a Date (toJSON)', { at: new Date(1710000000000) }],
  ['undefined in an array', { list: [1, undefined, 3] }],
  ['a function in an array', { list: [1, () => 2, 3] }],
  ['NaN and Infinity', { a: NaN, b: Infinity }],
  ['null', null],
  ['a bare string', 'text'],
  ['a bare ":" string', ':text'],
  ['an empty array and object', { a: [], o: {} }],
];

describe('writeQuickly', () => {
  const theirs = new Keyv();
  const ours = new Keyv();
  writeQuickly(ours);

  for (const [what, value] of cases) {
    it(`writes ${what} as Keyv does`, async () => {
      const data = { value, expires: 1710000005000 };
      expect(await ours.serialize!(data)).toBe(await theirs.serialize!(data));
    });
  }

  it('takes JSON.stringify only for values holding nothing Keyv treats otherwise', () => {
    expect(plainJson({ value: record, expires: undefined }, 0)).toBe(true);
    expect(plainJson({ value: { s: ':x' } }, 0)).toBe(false);
    expect(plainJson({ value: [Buffer.from('x')] }, 0)).toBe(false);
    expect(plainJson({ value: new Date() }, 0)).toBe(false);
    expect(plainJson({ value: [undefined] }, 0)).toBe(false);
    expect(plainJson({ value: 1n }, 0)).toBe(false);
    expect(plainJson({ value: Symbol('s') }, 0)).toBe(false);
    expect(plainJson(Object.create({ inherited: 1 }), 0)).toBe(false);
  });

  it('reads back what it wrote, through the tolerant reader, as Keyv reads back its own', async () => {
    readTolerantly(ours);
    for (const value of [record, { prompt: ':: colon' }, { image: Buffer.from('b') }]) {
      const back = await ours.deserialize!(await ours.serialize!({ value, expires: undefined }));
      expect(back?.value).toEqual((await theirs.deserialize!(await theirs.serialize!({ value, expires: undefined })))?.value);
    }
    const read = async (value: unknown) => (await ours.deserialize!(await ours.serialize!({ value, expires: undefined })))?.value;
    expect(await read({ prompt: ':: colon' })).toEqual({ prompt: ':: colon' });
    expect(await read({ image: Buffer.from('b') })).toEqual({ image: Buffer.from('b') });
    expect(((await read(record)) as typeof record).prompt).toBe(record.prompt);
  });
});
