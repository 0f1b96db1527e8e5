// Types of markdown.js (plain JS so the page loads it without a build step).
export interface MentionNames {
  user?: (id: string) => string | undefined;
  role?: (id: string) => string | undefined;
  channel?: (id: string) => string | undefined;
}
export function renderMarkdown(text: string, names?: MentionNames): string;
