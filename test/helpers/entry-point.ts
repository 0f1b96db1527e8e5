// Runs an entry point (src/deploy-commands.ts, src/invite.ts, src/preview.ts, src/main.ts) as the
// operator does: its own process under tsx, in a directory of its own holding only the .env given
// (so a developer's own .env in the checkout never leaks in), with only PATH and HOME from the
// test's environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
/** tsx's loader, for `node --import`: the script runs in one process (tsx's CLI starts a second). */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface EntryOptions {
  /** Variables of the process's real environment (beside PATH and HOME). */
  env?: Record<string, string>;
  /** Contents of the .env file in its working directory; none when undefined. */
  dotenv?: string;
  args?: string[];
  /** What the process reads on its standard input (runEntry). */
  input?: string;
}

export interface EntryResult {
  code: number;
  stdout: string;
  stderr: string;
}

function workDir(dotenv: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'mjbot-entry-'));
  if (dotenv !== undefined) writeFileSync(join(dir, '.env'), dotenv);
  return dir;
}

const baseEnv = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...extra });

/** Runs `script` (relative to the repository) to its end, in one process (`node --import tsx`). */
export async function runEntry(script: string, o: EntryOptions = {}): Promise<EntryResult> {
  const cwd = workDir(o.dotenv);
  try {
    return await new Promise<EntryResult>((done, fail) => {
      const child = spawn(process.execPath, ['--import', TSX_LOADER, join(ROOT, script), ...(o.args ?? [])], { cwd, env: baseEnv(o.env) });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', fail);
      child.on('close', (code) => (code === null ? fail(new Error(`${script} was killed`)) : done({ code, stdout, stderr })));
      child.stdin.end(o.input ?? '');
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** Starts `script` and leaves it running; `stop()` sends SIGTERM, waits for the exit and cleans up. */
export function startEntry(script: string, o: EntryOptions = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null>; stop(): Promise<void> } {
  const cwd = workDir(o.dotenv);
  const child = spawn(process.execPath, [TSX, join(ROOT, script), ...(o.args ?? [])], { cwd, env: baseEnv(o.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
