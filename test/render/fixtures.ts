// The task fixtures (test/fixtures/tasks/*.json): every task shape the seeds and api.md describe.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/tasks/', import.meta.url));

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).sort();
}

export function loadFixture(name: string): unknown {
  return JSON.parse(readFileSync(`${FIXTURE_DIR}${name}`, 'utf8'));
}

/** Object fixtures, for tests that need the raw fields. */
export function fixture(name: string): Record<string, any> {
  return loadFixture(name) as Record<string, any>;
}

/** failure.<family>.json → the proxy's failReason and the catalogue key it must be explained with. */
export const FAILURE_REASONS: Record<string, { failReason: string; key: string }> = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/failure-reasons.json', import.meta.url)), 'utf8'),
);
