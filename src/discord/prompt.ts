import { UserInputError } from '../proxy/errors.ts';

/** Longest prompt accepted (Discord's text input maximum; proxies accept less in practice). */
export const MAX_PROMPT = 4000;

/** A prompt must say something besides parameters (`--ar 3:2` alone is empty). */
export function checkPrompt(prompt: string, max = MAX_PROMPT): void {
  const words = prompt.replace(/--\w+(\s+[^\s-][^\s]*)?/g, '').trim();
  if (!words) throw new UserInputError('PROMPT_EMPTY');
  if (prompt.length > max) throw new UserInputError('PROMPT_TOO_LONG', { length: prompt.length, limit: max });
}
