// The Redis the store and scale tests use, under key prefixes of their own: the local one unless
// TEST_REDIS_URL points elsewhere (another host, port or database: redis://host:6380/2).
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379';
