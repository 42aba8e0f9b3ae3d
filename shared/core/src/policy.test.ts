import { describe, expect, it } from 'vitest';
import { enforcePolicy, lazyGate, type PolicyGate } from './policy.ts';

const denyPrivileged: PolicyGate = {
  check: async (_domain, documents) => {
    const violations = (documents as Array<{ privileged?: boolean }>)
      .filter((document) => document.privileged)
      .map(() => ({
        rule: 'K8S-002',
        severity: 'deny' as const,
        message: 'set privileged to false',
        field: 'privileged',
      }));
    return { allowed: violations.length === 0, violations, gate: 'test' };
  },
};

describe('enforcePolicy', () => {
  it('returns the verdict when allowed and throws a structured refusal on a deny', async () => {
    expect((await enforcePolicy(denyPrivileged, 'kubernetes', [{}])).allowed).toBe(true);
    await expect(enforcePolicy(denyPrivileged, 'kubernetes', [{ privileged: true }])).rejects.toMatchObject({
      code: 'policy_denied',
      message: expect.stringContaining('- [K8S-002] set privileged to false (at privileged)'),
    });
  });
});

describe('lazyGate', () => {
  it('loads the gate on the first check only, once', async () => {
    let loads = 0;
    const gate = lazyGate(async () => {
      loads++;
      return denyPrivileged;
    });
    expect(loads).toBe(0);
    await Promise.all([gate.check('kubernetes', [{}]), gate.check('kubernetes', [{ privileged: true }])]);
    expect(loads).toBe(1);
  });
});
