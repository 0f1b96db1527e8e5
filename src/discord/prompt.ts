import { UserInputError } from '../proxy/errors.ts';

/** Longest prompt accepted (Discord's text input maximum; proxies accept less in practice). */
export const MAX_PROMPT = 4000;

/** A prompt must say something besides parameters (`--ar 3:2` alone is empty). */
export function checkPrompt(prompt: string, max = MAX_PROMPT): void {
  const words = prompt.replace(/--\w+(\s+[^\s-][^\s]*)?/g, '').trim();
  if (!words) throw new UserInputError('PROMPT_EMPTY');
  checkPromptLength(prompt, max);
}

/**
 * The length limit alone, for inputs that may be empty (Custom Zoom, Vary (Region): the job's own
 * prompt stands in). Discord caps our inputs, but an interaction is the client's word: this holds
 * whatever it sends.
 */
export function checkPromptLength(prompt: string, max = MAX_PROMPT): void {
  if (prompt.length > max) throw new UserInputError('PROMPT_TOO_LONG', { length: prompt.length, limit: max });
}
