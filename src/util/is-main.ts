// Whether a module is the script Node was started with (`tsx src/x.ts`), so a file can be both an
// entry point and a module tests import. Compared through realpath: npm and tsx may pass a symlink.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function isMain(moduleUrl: string): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
