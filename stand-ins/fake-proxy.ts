// A fake midjourney-proxy (api.md, seeds/) on node:http for tests and the playground.
//
//   const proxy = await startFakeProxy();            // http://127.0.0.1:PORT, key 'test-key'
//   proxy.nextTimeline('queued');                     // script the next submitted task
//   proxy.setQuirks({ relayRewrite21: true });        // misbehave like a relay
//   ... point the app at proxy.baseUrl ...
//   await proxy.close();
//
// Only node: builtins are imported here and below: no test framework.
export { startFakeProxy, startFakeProxy as createFakeProxy, MAX_BODY_BYTES } from './fake-proxy/server.ts';
export { DEFAULT_QUIRKS } from './fake-proxy/quirks.ts';
export {
  DEFAULT_FAIL_REASON,
  DISCORD_CHANNEL_ID,
  DISCORD_INSTANCE_ID,
  SHOW_DETAILS_CUSTOM_ID,
  afterUpscaleButtons,
  describeButtons,
  describePrompts,
  gridButtons,
  seedFor,
  shortenButtons,
  upscaleButtons,
  videoButtons,
} from './fake-proxy/content.ts';
export { encodePng, WEBP_1X1, MP4_CLIP, mp4Of } from './fake-proxy/media.ts';
export { encodeMp4 } from './fake-proxy/mp4.ts';
export type {
  AddTaskInit,
  AdvanceMode,
  AuthStyle,
  FakeProxy,
  FakeProxyOptions,
  FakeTask,
  MediaUrl,
  ModalKind,
  NotificationRecord,
  Quirks,
  RecordedProxyRequest,
  ResultKind,
  TaskButton,
  TaskJson,
  TimelineSpec,
} from './fake-proxy/types.ts';
