// The one rule naming the backend a job runs on, for reads, hidden buttons and capabilities alike.
import { describe, expect, it } from 'vitest';
import { backendOf, DEFAULT_BACKEND } from '../../src/proxy/task-reader.ts';

describe('backendOf', () => {
  const modes = ['relax', 'turbo'];

  it('names a configured mode by itself', () => {
    expect(backendOf('relax', modes)).toBe('relax');
    expect(backendOf('turbo', modes)).toBe('turbo');
  });

  it('sends no mode, an empty one and a mode since removed from MJ_MODES to the default backend', () => {
    expect(backendOf(undefined, modes)).toBe(DEFAULT_BACKEND);
    expect(backendOf(null, modes)).toBe(DEFAULT_BACKEND);
    expect(backendOf('', modes)).toBe(DEFAULT_BACKEND);
    expect(backendOf('fast', modes)).toBe(DEFAULT_BACKEND);
    expect(backendOf('relax', [])).toBe(DEFAULT_BACKEND);
  });
});
