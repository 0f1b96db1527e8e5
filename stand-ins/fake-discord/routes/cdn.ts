// GET/HEAD /cdn/attachments/… and /media/attachments/… (cdn.discordapp.com / media.discordapp.net): the bytes of
// uploaded files, until the signed URL's `ex` (expiry, hex seconds) passes on the fake's clock.
import type { FakeDiscordState } from '../state.ts';

export interface CdnResponse { status: number; headers: Record<string, string>; body?: Buffer | string }

export function cdnRoute(s: FakeDiscordState, method: string, path: string, query: Record<string, string>): CdnResponse {
  const key = path.replace(/^\/(cdn|media)/, '');
  const blob = s.blobs.get(key);
  const injected = s.takeFailure(method, path);
  if (injected) {
    return {
      status: injected.status, headers: { 'content-type': 'text/plain' },
      body: typeof injected.body === 'string' ? injected.body : JSON.stringify(injected.body ?? 'injected failure'),
    };
  }
  if (!blob || (query.ex && parseInt(query.ex, 16) * 1000 < s.clock.now())) {
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'This content is no longer available.' };
  }
  return {
    status: 200,
    headers: { 'content-type': blob.type, 'content-length': String(blob.data.length), 'cache-control': 'public, max-age=31536000' },
    body: method === 'HEAD' ? undefined : blob.data,
  };
}
