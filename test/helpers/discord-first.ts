// Loaded before every test file: discord.js first, as src/app.ts loads it in the bot. Its REST
// client brings undici 6, which installs the process-wide default dispatcher when it loads first;
// when our undici 7 loads first (a file that imports only the proxy client), that default is
// undici 7's, and discord.js's multipart uploads through it fail ("action is not a function").
// Test files share a worker (isolate: false), so which file ran first must not decide this.
import 'discord.js';
