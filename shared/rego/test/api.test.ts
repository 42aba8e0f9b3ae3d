import { describe, expect, it } from 'vitest';
import { compile, RegoEvalError } from '../src/index.ts';

const kubernetes = `package kubernetes.admission

# METADATA
# title: Containers must not run as root
# description: Every container sets securityContext.runAsNonRoot.
# custom:
#   id: K8S-001
#   severity: high
deny contains msg if {
  some c in input.spec.containers
  not c.securityContext.runAsNonRoot
  msg := sprintf("container %s runs as root", [c.name])
}

deny contains msg if {
  some c in input.spec.containers
  endswith(c.image, ":latest")
  msg := $"container {c.name} uses the latest tag"
}

default allow := false

allow if count(deny) == 0
`;

const pod = {
  spec: {
    containers: [
      { name: 'app', image: 'registry.example.com/app:1.2.3', securityContext: { runAsNonRoot: true } },
      { name: 'sidecar', image: 'busybox:latest' },
    ],
  },
};

describe('Policy API', () => {
  const policy = compile([{ path: 'kubernetes.rego', source: kubernetes }]);

  it('evaluates a rule by path, sets as sorted arrays', () => {
    expect(policy.evalRule('data.kubernetes.admission.deny', { input: pod })).toEqual([
      'container sidecar runs as root',
      'container sidecar uses the latest tag',
    ]);
    expect(policy.evalRule('data.kubernetes.admission.allow', { input: pod })).toBe(false);
    expect(policy.evalRule('data.kubernetes.admission.missing', { input: pod })).toBeUndefined();
  });

  it('evaluates queries into binding sets', () => {
    expect(
      policy.eval('data.kubernetes.admission.deny[msg]; startswith(msg, "container sidecar runs")', { input: pod }),
    ).toEqual([{ msg: 'container sidecar runs as root' }]);
    expect(policy.eval('x := 1 + 2')).toEqual([{ x: 3 }]);
    expect(policy.eval('1 > 2')).toEqual([]);
    expect(policy.eval('true')).toEqual([{}]);
  });

  it('exposes METADATA annotations', () => {
    const [a] = policy.annotations();
    expect(a).toMatchObject({
      scope: 'rule',
      path: 'data.kubernetes.admission.deny',
      location: { file: 'kubernetes.rego', line: 3 },
      title: 'Containers must not run as root',
      custom: { id: 'K8S-001', severity: 'high' },
    });
  });

  it('keeps integers exact beyond 2^53', () => {
    expect(policy.eval('x := 9007199254740993 + 1')).toEqual([{ x: 9007199254740994n }]);
    expect(policy.eval('x := 12345678901234567890 * 10')).toEqual([{ x: 123456789012345678900n }]);
  });

  it('makes builtin errors undefined unless strict', () => {
    expect(policy.eval('x := 1 / 0')).toEqual([]);
    expect(() => policy.eval('x := 1 / 0', { strictBuiltinErrors: true })).toThrow(
      expect.objectContaining({ code: 'eval_builtin_error', message: expect.stringContaining('div: divide by zero') }),
    );
  });

  it('reports conflicts with their location', () => {
    const p = compile([{ path: 'c.rego', source: 'package c\np := 1\np := 2\n' }]);
    try {
      p.evalRule('data.c.p');
      throw new Error('expected a conflict');
    } catch (e) {
      expect(e).toBeInstanceOf(RegoEvalError);
      expect((e as RegoEvalError).code).toBe('eval_conflict_error');
      expect((e as RegoEvalError).message).toBe(
        'c.rego:3: eval_conflict_error: complete rules must not produce multiple outputs',
      );
    }
  });

  it('supports v0 Gatekeeper policies', () => {
    const gk = compile(
      [
        {
          path: 'gk.rego',
          source: `package k8srequiredlabels
violation[{"msg": msg, "details": {"missing_labels": missing}}] {
  provided := {label | input.review.object.metadata.labels[label]}
  required := {label | label := input.parameters.labels[_]}
  missing := required - provided
  count(missing) > 0
  msg := sprintf("you must provide labels: %v", [missing])
}`,
        },
      ],
      { regoVersion: 'v0' },
    );
    const input = {
      review: { object: { metadata: { labels: { app: 'x' } } } },
      parameters: { labels: ['app', 'owner'] },
    };
    expect(gk.evalRule('data.k8srequiredlabels.violation', { input })).toEqual([
      { details: { missing_labels: ['owner'] }, msg: 'you must provide labels: {"owner"}' },
    ]);
  });

  it('supports with, else, functions and defaults', () => {
    const p = compile([
      {
        path: 'w.rego',
        source: `package w
default level := "low"
level := "high" if input.score > 8
else := "medium" if input.score > 4
double(x) := x * 2
q := x if x := double(input.n) with input.n as 21
r := x if x := count([1, 2, 3]) with count as mock
mock(_) := 99
`,
      },
    ]);
    expect(p.evalRule('data.w.level', { input: { score: 9 } })).toBe('high');
    expect(p.evalRule('data.w.level', { input: { score: 5 } })).toBe('medium');
    expect(p.evalRule('data.w.level', { input: { score: 1 } })).toBe('low');
    expect(p.evalRule('data.w.q')).toBe(42);
    expect(p.evalRule('data.w.r')).toBe(99);
  });

  it('passes print output to the callback and uses the given clock', () => {
    const lines: string[] = [];
    const p = compile([
      { path: 'p.rego', source: 'package p\nq if { print("hello", input.x); true }\nt := time.now_ns()\n' },
    ]);
    p.evalRule('data.p.q', { input: { x: [1] }, print: (m) => lines.push(m) });
    p.evalRule('data.p.q', { print: (m) => lines.push(m) });
    expect(lines).toEqual(['hello [1]', 'hello <undefined>']);
    expect(p.evalRule('data.p.t', { now: new Date('2024-01-01T00:00:00Z') })).toBe(1704067200000000000n);
  });

  it('merges base data with rules', () => {
    const p = compile([{ path: 'd.rego', source: 'package d\nallowed contains r if some r in data.registries\n' }]);
    expect(p.evalRule('data.d.allowed', { data: { registries: ['b', 'a'] } })).toEqual(['a', 'b']);
    expect(p.eval('data.registries[0] = x', { data: { registries: ['b', 'a'] } })).toEqual([{ x: 'b' }]);
  });
});
