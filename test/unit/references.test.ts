// Which model version a job runs on (for reference images), and the prompt words a video is made from.
import { describe, expect, it } from 'vitest';
import { checkReferences, chosenVersion, referenceParams } from '../../src/jobs/references.ts';
import { promptText } from '../../src/jobs/animate.ts';

const file = { name: 'a.png', size: 10, url: 'https://cdn.example/a.png', contentType: 'image/png' };

describe('chosenVersion', () => {
  it('reads the prompt’s last --v / --version / --niji N, else the settings', () => {
    expect(chosenVersion('a cat --v 6.1', '7')).toMatchObject({ niji: false, n: 6.1, label: 'V6.1' });
    expect(chosenVersion('a cat --version 7 --ar 3:2', undefined)).toMatchObject({ n: 7 });
    expect(chosenVersion('a cat --v 6 --niji 7', undefined)).toMatchObject({ niji: true, n: 7, label: 'Niji 7' });
    expect(chosenVersion('a cat', 'niji 6')).toMatchObject({ niji: true, n: 6 });
    expect(chosenVersion('a cat', '6.1')).toMatchObject({ niji: false, n: 6.1 });
    expect(chosenVersion('a cat', 'v7')).toMatchObject({ n: 7 });
  });

  it('knows nothing where nothing says (or only --niji without a number)', () => {
    expect(chosenVersion('a cat', undefined)).toBeNull();
    expect(chosenVersion('a cat --niji', '6.1')).toBeNull();
    expect(chosenVersion('a cat --vivid 7', undefined)).toBeNull();
    expect(chosenVersion('a cat', 'latest')).toBeNull();
  });
});

describe('checkReferences', () => {
  const v = (s: string) => chosenVersion(s, undefined);
  it('takes cref on V6 and Niji 6, oref from V7, sref from V6', () => {
    expect(() => checkReferences('x', [{ kind: 'cref', file }], v('--v 6.1'))).not.toThrow();
    expect(() => checkReferences('x', [{ kind: 'cref', file }], v('--niji 6'))).not.toThrow();
    expect(() => checkReferences('x', [{ kind: 'oref', file }, { kind: 'sref', file }], v('--v 8'))).not.toThrow();
    expect(() => checkReferences('x', [{ kind: 'cref', file }], v('--v 7'))).toThrow(expect.objectContaining({ code: 'REFERENCE_CREF_V7', vars: { version: 'V7' } }));
    expect(() => checkReferences('x', [{ kind: 'oref', file }], v('--niji 6'))).toThrow(expect.objectContaining({ code: 'REFERENCE_OREF_V6' }));
    expect(() => checkReferences('x', [{ kind: 'sref', file }], v('--v 5.2'))).toThrow(expect.objectContaining({ code: 'REFERENCE_TOO_OLD' }));
    expect(() => checkReferences('x', [{ kind: 'cref', file }], null)).not.toThrow();
  });

  it('refuses a weight without its reference, unless the prompt carries the reference', () => {
    expect(() => checkReferences('x', [{ kind: 'sref', weight: 50 }], null)).toThrow(expect.objectContaining({ code: 'REFERENCE_WEIGHT_ALONE', vars: { weight: '--sw', ref: 'sref' } }));
    expect(() => checkReferences('x --sref 1234', [{ kind: 'sref', weight: 50 }], null)).not.toThrow();
  });

  it('appends each reference with its weight', () => {
    expect(referenceParams([{ kind: 'sref', file, weight: 0 }, { kind: 'oref', file }], ['u1', 'u2'])).toBe('--sref u1 --sw 0 --oref u2');
  });
});

describe('promptText', () => {
  it('keeps the words, without image links and parameters', () => {
    expect(promptText('a fox in snow --ar 3:2 --v 7')).toBe('a fox in snow');
    expect(promptText('<https://s.mj.run/abc> https://x.example/y.png a fox --sref https://u')).toBe('a fox');
    expect(promptText('--ar 3:2')).toBe('');
  });
});
