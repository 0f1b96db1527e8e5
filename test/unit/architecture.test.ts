// The tree's layering, checked on the source itself: which folder may import which, no file cycles,
// no file over 400 lines. A change that reaches across a seam fails here, not in review.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...filesUnder(rel));
    else if (/\.ts$/.test(name)) out.push(rel);
  }
  return out;
}

/** Every module a file imports or re-exports (type-only imports included: a type is a dependency too). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm), ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  return specs.map((s) => (s.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), s)) : s));
}

const product = [...filesUnder('src'), ...filesUnder('commands')];
const graph = new Map(product.map((f) => [f, importsOf(f)]));
const folderOf = (f: string) => (f.startsWith('src/') ? f.split('/').slice(0, 2).join('/') : f.split('/')[0]!);

/** What each folder must not import (a folder prefix, or a package name). */
const FORBIDDEN: Record<string, string[]> = {
  'src/render': ['src/discord', 'src/jobs', 'src/tasks', 'src/store', 'commands'],
  'src/proxy': ['src/discord', 'src/jobs', 'src/tasks', 'src/store', 'src/render', 'commands'],
  'src/jobs': ['src/discord', 'commands'],
  'src/tasks': ['src/discord', 'src/jobs', 'commands'],
  'src/store': ['src/discord', 'src/jobs', 'src/tasks', 'src/render', 'commands'],
  'src/media': ['src/discord', 'src/jobs', 'src/tasks', 'src/store', 'commands'],
  'src/i18n': ['src/discord', 'src/jobs', 'src/tasks', 'src/store', 'src/proxy', 'commands'],
  'src/util': ['src/discord', 'src/jobs', 'src/tasks', 'src/store', 'src/proxy', 'src/render', 'commands'],
};

describe('architecture', () => {
  it('layers import downward only', () => {
    const breaks: string[] = [];
    for (const [file, deps] of graph) {
      const banned = FORBIDDEN[folderOf(file)] ?? [];
      for (const d of deps) if (banned.some((b) => d === b || d.startsWith(`${b}/`))) breaks.push(`${file} → ${d}`);
    }
    expect(breaks).toEqual([]);
  });

  it('only src/store imports keyv; the bot never imports the stand-ins or the tests', () => {
    const breaks: string[] = [];
    for (const [file, deps] of graph) {
      for (const d of deps) {
        if (/^(keyv|@keyv\/)/.test(d) && !file.startsWith('src/store/')) breaks.push(`${file} → ${d}`);
        if (d.startsWith('stand-ins') || d.startsWith('test') || d === 'ws') breaks.push(`${file} → ${d}`);
      }
    }
    expect(breaks).toEqual([]);
  });

  it('no import cycles between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const d of graph.get(f) ?? []) {
        if (!graph.has(d)) continue;
        if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].join(' → '));
        else if (!state.has(d)) visit(d);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of graph.keys()) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('no file in src/ or commands/ is over 400 lines', () => {
    const long = product.map((f) => [f, readFileSync(join(ROOT, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });

  it('no test mocks a module or stubs a global: test files share their worker (vitest isolate: false)', () => {
    const tests = filesUnder('test');
    const found = tests.flatMap((f) => {
      const text = readFileSync(join(ROOT, f), 'utf8');
      return [...text.matchAll(/\bvi\.(mock|doMock|stubGlobal|stubEnv|useFakeTimers)\(/g)].map((m) => `${f}: vi.${m[1]}`);
    });
    // Time is injected (createApp's `now`, the fake Discord's manual clock), never faked globally.
    expect(found).toEqual([]);
  });
});
