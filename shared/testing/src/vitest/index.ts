// Vitest wiring for fakes: one fake per test file, its traffic checked against the upstream's spec after each test.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { assertNoViolations, type OpenApiFake } from '../server.ts';

/**
 * Starts a fake before the file's tests and closes it after them. After each test it fails the test if the fake
 * recorded a violation, then clears requests, violations and pending faults. Read `.fake` inside tests and hooks.
 */
export function useFake<F extends OpenApiFake>(start: () => Promise<F>): { readonly fake: F } {
  let current: F | undefined;
  beforeAll(async () => {
    current = await start();
  });
  afterEach(() => {
    if (!current) return;
    try {
      assertNoViolations(current);
    } finally {
      current.reset();
    }
  });
  afterAll(() => current?.close());
  return {
    get fake(): F {
      if (!current) throw new Error('the fake starts in beforeAll: use it inside tests and hooks');
      return current;
    },
  };
}
