// Discord's interaction tokens: a reply can be edited through its token for 15 minutes
// (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object).

/** Discord's interaction token lifetime. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;
