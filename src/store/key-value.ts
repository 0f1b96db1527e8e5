import type Keyv from 'keyv';

/** A typed view of one Keyv namespace. */
export class KeyValueRepository<T> {
  constructor(private readonly keyv: Keyv<T>) {}

  async get<V extends T = T>(key: string): Promise<V | undefined> {
    return (await this.keyv.get(key)) as V | undefined;
  }

  async set(key: string, value: T, ttlMs?: number): Promise<void> {
    await this.keyv.set(key, value, ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.keyv.delete(key);
  }

  async clear(): Promise<void> {
    await this.keyv.clear();
  }
}
