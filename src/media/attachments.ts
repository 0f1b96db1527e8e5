// User uploads: checked from their metadata before anything is sent (type, size, count), then
// downloaded inside the interaction (Discord's attachment links expire) and checked again by
// their bytes, since a content type can lie.
import type { Attachment } from 'discord.js';
import type { Dispatcher } from 'undici';
import { UserInputError } from '../proxy/errors.ts';
import { download, sniffImageType, toDataUrl } from './download.ts';

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
const TYPE_NAMES = 'PNG, JPEG, WebP, GIF';

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}

type AttachmentLike = Pick<Attachment, 'name' | 'size' | 'url' | 'contentType'>;

/** Content types some clients send for the accepted images. */
const TYPE_ALIASES: Record<string, string> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg', 'image/x-png': 'image/png' };
/** Types that say nothing about the bytes: the name and, after download, the bytes decide. */
const UNKNOWN_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);
const IMAGE_EXTENSION = /\.(png|jpe?g|jfif|webp|gif)$/i;

/**
 * Throws a UserInputError naming the attachment when it is not an acceptable image, as far as its
 * metadata tells: a declared type that is not one of ours is refused at once; a missing or generic
 * one (Discord leaves it out when it cannot tell) passes when the name looks like an image or has no
 * extension, and readImage then decides by the bytes.
 */
export function checkImage(att: AttachmentLike, maxBytes: number): void {
  const raw = (att.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const type = TYPE_ALIASES[raw] ?? raw;
  const known = (IMAGE_TYPES as readonly string[]).includes(type);
  const undeclared = UNKNOWN_TYPES.has(type) && (IMAGE_EXTENSION.test(att.name) || !/\.[a-z0-9]{1,5}$/i.test(att.name));
  if (!known && !undeclared) throw new UserInputError('ATTACHMENT_TYPE', { name: att.name, types: TYPE_NAMES });
  if (att.size <= 0) throw new UserInputError('ATTACHMENT_EMPTY', { name: att.name });
  if (att.size > maxBytes) throw new UserInputError('ATTACHMENT_TOO_LARGE', { name: att.name, size: formatBytes(att.size), limit: formatBytes(maxBytes) });
}

export function checkCount(count: number, min: number, max: number): void {
  if (count < min || count > max) throw new UserInputError('ATTACHMENT_COUNT', { min, max, count });
}

/** Downloads a checked image and returns it as a data URL; the bytes must really be an image. */
export async function readImage(att: AttachmentLike, maxBytes: number, opts: { timeoutMs: number; dispatcher?: Dispatcher }): Promise<string> {
  const got = await download(att.url, { maxBytes, ...opts });
  if ('error' in got) {
    if (got.error === 'TOO_LARGE') throw new UserInputError('ATTACHMENT_TOO_LARGE', { name: att.name, size: formatBytes(att.size), limit: formatBytes(maxBytes) });
    if (got.error === 'EMPTY') throw new UserInputError('ATTACHMENT_EMPTY', { name: att.name });
    if (got.error === 'PRIVATE') throw new UserInputError('ATTACHMENT_PRIVATE', { name: att.name });
    throw new UserInputError('ATTACHMENT_UNREADABLE', { name: att.name });
  }
  const real = sniffImageType(got.data);
  if (!real) throw new UserInputError('ATTACHMENT_TYPE', { name: att.name, types: TYPE_NAMES });
  return toDataUrl(got.data, real);
}
