// Vitest wiring for fakes: one fake per test file, its traffic checked against the upstream's spec after each test.
// Typed by shape, so this dev-only package needs nothing from the sandbox at run time.
import { afterAll, afterEach, beforeAll } from 'vitest';

/**
 * Starts a fake before the file's tests and closes it after them. After each test it fails the test if the fake
 * recorded a violation, then clears requests, violations and pending faults. Read `.fake` inside tests and hooks.
 */
/** What a fake records when traffic breaks its upstream's published spec (the sandbox's Violation). */
interface RecordedViolation {
  fake: string;
  operationId: string | undefined;
  method: string;
  path: string;
  where: string;
  message: string;
}

interface CheckedFake {
  violations: RecordedViolation[];
  reset(): void;
  close(): Promise<void>;
}

/** Throws, listing every violation the fakes recorded, and clears them so the next test starts clean. */
export function assertNoViolations(...fakes: Array<{ violations: RecordedViolation[] }>): void {
  const all = fakes.flatMap((fake) => fake.violations.splice(0));
  if (all.length === 0) return;
  const lines = all.map(
    (v) => `- ${v.fake} ${v.operationId ?? '(no operation)'} ${v.method} ${v.path}: ${v.where} ${v.message}`,
  );
  throw new Error(`the fake saw traffic its upstream's published spec does not allow:\n${lines.join('\n')}`);
}

export function useFake<F extends CheckedFake>(start: () => Promise<F>): { readonly fake: F } {
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
