// Message flags (discord-api-docs: Message Flags), and the ones each route lets a body set.

export const FLAG_EPHEMERAL = 1 << 6;
export const FLAG_LOADING = 1 << 7;
export const FLAG_SUPPRESS_EMBEDS = 1 << 2;
export const FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12;
export const FLAG_COMPONENTS_V2 = 1 << 15;
export const FLAG_IS_VOICE_MESSAGE = 1 << 13;

/** The flags a body may set, per route (discord-api-docs: Create Message, Edit Message, Execute/Edit Webhook Message, Interaction Response, Create Followup). */
export const SETTABLE_FLAGS = {
  channelCreate: FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_VOICE_MESSAGE | FLAG_COMPONENTS_V2,
  edit: FLAG_SUPPRESS_EMBEDS | FLAG_COMPONENTS_V2,
  interactionResponse: FLAG_SUPPRESS_EMBEDS | FLAG_EPHEMERAL | FLAG_COMPONENTS_V2 | FLAG_IS_VOICE_MESSAGE | FLAG_SUPPRESS_NOTIFICATIONS,
  followUp: FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2 | FLAG_EPHEMERAL,
} as const;
