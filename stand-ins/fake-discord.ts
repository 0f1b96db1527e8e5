// Fake Discord (REST v10 + Gateway v10 + CDN) that the REAL discord.js 14 Client logs into.
// Plain module (node: builtins + ws only) so a playground can run it outside tests.
//   const fake = await startFakeDiscord();
//   const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiBase, retries: 0, agent: createRestAgent() } });
//   await client.login(fake.token);
export { startFakeDiscord, ALL_PERMISSIONS_BUT_ADMIN } from './fake-discord/server.ts';
export type {
  FakeDiscord, FakeDiscordOptions, FakeUser, RecordedCall, RecordedFile, Interaction, InteractionOpts, SlashOpts,
  ModalSubmitOpts, InteractionState,
} from './fake-discord/types.ts';
export { snowflakeAt, imageSize } from './fake-discord/util.ts';
