// Media, served without auth like Discord CDN links: /cdn/<hash>/<file> (results and previews), /attachments/<name>
// (uploads) and /mj/image/<id> (a proxy's own image route). quirks.imageStatus and holdMedia apply (the latter in
// the server, which holds the answer).
import { WEBP_1X1, colorFor, encodePng, mp4Of } from '../media.ts';
import { gridPng, singlePng } from '../placeholder.ts';
import type { Reply } from '../responses.ts';
import type { FakeProxyState } from '../state.ts';

const notFound = (): Reply => ({ status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' });

export function mediaRoute(s: FakeProxyState, path: string): Reply {
  const status = s.quirks.imageStatus;
  if (status) return { status, headers: { 'content-type': 'text/plain' }, body: 'This content is no longer available.' };
  if (path.startsWith('/attachments/')) {
    const up = s.uploads.get(path.slice('/attachments/'.length));
    if (up) return { status: 200, headers: { 'content-type': up.mime }, body: up.bytes };
    return notFound();
  }
  const picture = s.placeholders ? placeholder(s, path) : null;
  if (picture) return { status: 200, headers: { 'content-type': 'image/png' }, body: picture };
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === 'webp') return { status: 200, headers: { 'content-type': 'image/webp' }, body: WEBP_1X1 };
  // A real, playable clip (each link its own colour), so a result plays inline where it is shown.
  if (ext === 'mp4') return { status: 200, headers: { 'content-type': 'video/mp4' }, body: mp4Of(colorFor(path)) };
  if (ext === 'png' || (ext === undefined && path.includes('/mj/image/'))) {
    return { status: 200, headers: { 'content-type': 'image/png' }, body: encodePng(colorFor(path)) };
  }
  return notFound();
}

/** A picture of what the task at `/cdn/<hash>/<file>` made (cached; previews per progress). */
function placeholder(s: FakeProxyState, path: string): Buffer | null {
  const [, hash, file] = /^\/cdn\/([0-9a-f-]{36})\/([^/?]+)$/.exec(path) ?? [];
  const task = hash === undefined ? undefined : [...s.tasks.values()].find((t) => t.hash === hash);
  if (!task || file === undefined) return null;
  const prompt = task.json.prompt || task.json.promptEn || task.json.action;
  const cacheKey = `${path}#${file.endsWith('.webp') ? task.json.progress : ''}`;
  const cached = s.pictures.get(cacheKey);
  if (cached) return cached;
  const parent = task.parentId ? s.tasks.get(task.parentId) : undefined;
  let png: Buffer | null = null;
  let n: RegExpExecArray | null;
  if (file.endsWith('_grid_0.webp')) png = gridPng({ prompt, key: task.hash, progress: task.json.progress || '0%' });
  else if (file === 'grid_0.png') png = gridPng({ prompt, key: task.hash });
  else if ((n = /^0_(\d)\.png$/.exec(file))) {
    const position = task.kind === 'upscale' ? (task.index ?? Number(n[1]) + 1) : Number(n[1]) + 1;
    const key = task.kind === 'upscale' && parent ? parent.hash : task.hash;
    png = singlePng({ prompt, key, position, label: `#${position}` });
  } else if (file === 'upscaled_2x.png') {
    // An HD upscale repaints the upscale it came from: that upscale's grid cell, larger.
    const grid = parent?.parentId ? s.tasks.get(parent.parentId) : undefined;
    const position = parent?.index ?? 1;
    png = singlePng({ prompt, key: grid?.hash ?? task.hash, position, label: `#${position} 2x` });
  } else if (file === 'frame_0.png') png = singlePng({ prompt, key: task.hash, position: 0, label: 'VIDEO' });
  else if (file === 'swap_0.png') png = singlePng({ prompt: prompt || 'face swap', key: task.hash, position: 0, label: 'SWAP' });
  if (!png) return null;
  if (s.pictures.size >= 200) s.pictures.delete(s.pictures.keys().next().value!);
  s.pictures.set(cacheKey, png);
  return png;
}
