// Runs one of the project's scripts the way its npm script does (TypeScript through tsx), as one
// Node process: `node --import tsx <file>`. `npx tsx <file>` starts three (npm's, tsx's CLI, then
// the script), and on a busy machine that cost seconds a run.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `file` (relative to the project root) with `args`, `input` on its standard input; resolves
 * with its exit code and output once it exits (a non-zero exit does not reject).
 */
export function runScript(file: string, args: string[] = [], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: ROOT, env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
