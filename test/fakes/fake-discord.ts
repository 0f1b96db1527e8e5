// The fake Discord lives in src/playground/ (the playground runs it too); tests import it from here.
export * from '../../src/playground/fake-discord.ts';
