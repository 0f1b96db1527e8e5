// Per-route rate-limit buckets (REAL time), answered as Discord does: 429 with retry_after and the x-ratelimit-* headers.
import { createHash } from 'node:crypto';
import type { RESTRateLimit } from 'discord-api-types/v10';
import type { ApiResponse } from './responses.ts';
import type { FakeDiscordState, Limit } from './state.ts';

export const bucketHash = (s: string): string => createHash('sha1').update(s).digest('hex').slice(0, 32);

export interface BucketOf { key: string; hash: string; limit: Limit }

/** message edits per channel or per webhook token (editLimit); message creation per channel (createLimit), per webhook token when a test sets it */
export function bucketOf(s: FakeDiscordState, method: string, path: string): BucketOf | undefined {
  if (!s.rateLimitsOn) return undefined;
  let m: RegExpExecArray | null;
  if (method === 'PATCH' && (m = /^\/channels\/(\d+)\/messages\/[^/]+$/.exec(path))) return { key: `edit:c:${m[1]}`, hash: bucketHash('PATCH /channels/:id/messages/:id'), limit: s.editLimit };
  if (method === 'PATCH' && (m = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/[^/]+$/.exec(path))) return { key: `edit:w:${m[1]}/${m[2]}`, hash: bucketHash('PATCH /webhooks/:id/:token/messages/:id'), limit: s.editLimit };
  if (s.createLimit && method === 'POST' && (m = /^\/channels\/(\d+)\/messages$/.exec(path))) return { key: `create:c:${m[1]}`, hash: bucketHash('POST /channels/:id/messages'), limit: s.createLimit };
  if (s.webhookCreateLimit && method === 'POST' && (m = /^\/webhooks\/(\d+)\/([^/]+)$/.exec(path))) return { key: `create:w:${m[1]}/${m[2]}`, hash: bucketHash('POST /webhooks/:id/:token'), limit: s.webhookCreateLimit };
  return undefined;
}

/**
 * Discord's global limit: 50 requests a second per bot token, in windows that open at the first request after the
 * last one closed (as the per-route buckets here). Interaction-token routes are not bound by it (the initial
 * response POST /interactions/{id}/{token}/callback and every /webhooks/{id}/{token}… route), nor is the CDN.
 */
export function globalLimited(s: FakeDiscordState, path: string, now = Date.now()): ApiResponse | undefined {
  if (!s.globalLimit) return undefined;
  if (/^\/interactions\/\d+\/[^/]+\/callback$/.test(path) || /^\/webhooks\/\d+\/[^/]+(\/|$)/.test(path)) return undefined;
  const w = s.globalWindow;
  if (now - w.start >= s.globalLimit.perMs) { w.start = now; w.count = 0; }
  if (w.count >= s.globalLimit.count) {
    s.globalHits++;
    return rateLimited(s, Math.max(0.001, (w.start + s.globalLimit.perMs - now) / 1000), s.globalLimit.count, '', true);
  }
  w.count++;
  return undefined;
}

export function rateLimited(s: FakeDiscordState, retryAfterS: number, limit: number, hash: string, global = false): ApiResponse {
  s.rateLimitHits++;
  const ra = retryAfterS.toFixed(3);
  const body: RESTRateLimit = { message: 'You are being rate limited.', retry_after: Number(ra), global };
  // A global 429 names no bucket (Discord's carry Retry-After, X-RateLimit-Global and X-RateLimit-Scope only).
  if (global) return { status: 429, body, headers: { 'retry-after': ra, 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' } };
  return {
    status: 429,
    body,
    headers: {
      'retry-after': ra, 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': ra,
      'x-ratelimit-reset': ((Date.now() + retryAfterS * 1000) / 1000).toFixed(3), 'x-ratelimit-bucket': hash,
      'x-ratelimit-scope': 'user',
    },
  };
}

/** counts the request in its bucket: 429 when the bucket is full, else `run()`'s answer with the bucket's headers */
export function withBucket(s: FakeDiscordState, bucket: BucketOf, run: () => ApiResponse): ApiResponse {
  const now = Date.now();
  let b = s.buckets.get(bucket.key);
  if (!b || now - b.start >= bucket.limit.perMs) { b = { start: now, count: 0 }; s.buckets.set(bucket.key, b); }
  const resetAfter = Math.max(0, b.start + bucket.limit.perMs - now) / 1000;
  if (b.count >= bucket.limit.count) return rateLimited(s, resetAfter, bucket.limit.count, bucket.hash);
  b.count++;
  const result = run();
  result.headers = {
    ...result.headers, 'x-ratelimit-limit': String(bucket.limit.count), 'x-ratelimit-remaining': String(bucket.limit.count - b.count),
    'x-ratelimit-reset-after': resetAfter.toFixed(3), 'x-ratelimit-reset': ((b.start + bucket.limit.perMs) / 1000).toFixed(3),
    'x-ratelimit-bucket': bucket.hash,
  };
  return result;
}
