// What a backend turned out to support (list-by-condition at all, its largest batch), remembered
// per backend (its configured name: 'default' or the mode name), since relays differ. Each value is
// written whole, so concurrent writers need no merge: the last one stands.
import type { KeyValueRepository } from './key-value.ts';

/** One backend's capabilities: what the task reader needs, and nothing else of the store. */
export interface CapabilityStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
}

export class CapabilityRepository {
  constructor(private readonly kv: KeyValueRepository<unknown>) {}

  forBackend(backend: string): CapabilityStore {
    return {
      get: (key) => this.kv.get(`${backend}:${key}`),
      set: (key, value, ttlMs) => this.kv.set(`${backend}:${key}`, value, ttlMs),
    };
  }

  async clear(): Promise<void> {
    await this.kv.clear();
  }
}
