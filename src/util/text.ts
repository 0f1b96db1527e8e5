// Shortening text for Discord. A cut at a fixed UTF-16 offset can split a surrogate pair (Discord
// refuses the whole request: 50035 Invalid Form Body) or an emoji sequence (a family becomes
// three people, a flag two letters). Every place that shortens text a user reads cuts here, between
// grapheme clusters (Intl.Segmenter), counting UTF-16 units as Discord's limits are checked.

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The last grapheme boundary at or before UTF-16 offset `i` of `s`. Only the cluster around `i` is
 * looked at (iterating every cluster of a long text costs microseconds each).
 */
export function graphemeBoundary(s: string, i: number): number {
  if (i <= 0) return 0;
  if (i >= s.length) return s.length;
  return graphemes.segment(s).containing(i)?.index ?? i;
}

/**
 * At most `max` UTF-16 units of `s`, cut between grapheme clusters; when cut, `ellipsis` ends it
 * (and counts towards `max`). Never leaves half of a surrogate pair or of an emoji sequence.
 */
export function cutText(s: string, max: number, ellipsis = '…'): string {
  const text = String(s ?? '');
  if (text.length <= max) return text;
  if (max <= 0) return '';
  const tail = ellipsis.length <= max ? ellipsis : '';
  return text.slice(0, graphemeBoundary(text, max - tail.length)) + tail;
}

/**
 * Whole lines joined by "\n", as many as fit in `max` UTF-16 units; a line is never cut (a markdown
 * link cut in half shows its raw syntax). `more` ends the text when lines were left out.
 */
export function cutLines(lines: readonly string[], max: number, more = '…'): string {
  const whole = lines.join('\n');
  if (whole.length <= max) return whole;
  // Some lines are left out: keep room for the marker after the last one shown.
  const out: string[] = [];
  let used = 0;
  for (const line of lines) {
    const add = (out.length ? 1 : 0) + line.length;
    if (used + add + 1 + more.length > max) break;
    out.push(line);
    used += add;
  }
  const marker = out.length ? `\n${more}` : more;
  return used + marker.length <= max ? out.join('\n') + marker : out.join('\n');
}
