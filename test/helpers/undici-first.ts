// Loaded before every test file: our undici (7) first, so it installs the process-wide default
// dispatcher, the order in which discord.js's uploads used to fail ("action is not a function").
// The bot gives discord.js's REST an agent of its own undici (src/discord/rest-agent.ts), so the
// order must not matter; the whole suite runs in the order that would show it if it did.
import 'undici';
