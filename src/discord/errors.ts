// Which Discord errors are expected events rather than faults. "Gone": the message, channel,
// webhook or interaction a call aimed at no longer exists or is no longer ours to reach (a
// deleted message, an expired token, a removed permission); the poster then tries its next
// route and the error sink stays quiet. One list, by name, for every caller.
import { DiscordAPIError, RESTJSONErrorCodes } from 'discord.js';

const GONE = new Set<number>([
  RESTJSONErrorCodes.UnknownChannel,
  RESTJSONErrorCodes.UnknownMessage,
  RESTJSONErrorCodes.UnknownWebhook,
  RESTJSONErrorCodes.UnknownInteraction,
  RESTJSONErrorCodes.InvalidWebhookToken,
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.MissingPermissions,
]);

/** The target of the call is gone for us (by code, or by a 401/403/404 without a known code). */
export function isGone(err: unknown): err is DiscordAPIError {
  return err instanceof DiscordAPIError && (GONE.has(Number(err.code)) || err.status === 404 || err.status === 403 || err.status === 401);
}

/** Discord refused the upload's size: the same files cannot be sent again. */
export function isTooLarge(err: unknown): boolean {
  return err instanceof DiscordAPIError && (err.status === 413 || Number(err.code) === RESTJSONErrorCodes.RequestEntityTooLarge);
}
