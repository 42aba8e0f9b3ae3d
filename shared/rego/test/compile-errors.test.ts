import { describe, expect, it } from 'vitest';
import { compile, RegoCompileError } from '../src/index.ts';

function compileError(source: string, regoVersion: 'v0' | 'v1' = 'v1'): RegoCompileError {
  try {
    compile([{ path: 'policy.rego', source }], { regoVersion });
  } catch (e) {
    if (e instanceof RegoCompileError) return e;
    throw e;
  }
  throw new Error('expected a compile error');
}

describe('parse errors', () => {
  it('reports file, line and column', () => {
    const e = compileError('package test\n\np if {\n  x := [1, 2\n}\n');
    expect(e.errors).toHaveLength(1);
    expect(e.errors[0]).toMatchObject({ file: 'policy.rego', line: 5, col: 1 });
    expect(e.message).toMatch(/^policy\.rego:5:1: rego_parse_error: unexpected } token/);
  });

  it('requires a package', () => {
    expect(compileError('p := 1').message).toContain('package expected');
  });

  it('rejects an unterminated string', () => {
    expect(compileError('package test\np := "abc\n').message).toContain('non-terminated string');
  });

  it('rejects an empty body', () => {
    expect(compileError('package test\np {}\n', 'v0').message).toContain('found empty body');
  });

  it('requires `if` before a v1 rule body', () => {
    expect(compileError('package test\np { true }\n').message).toContain('`if` keyword is required before rule body');
  });

  it('requires `contains` for v1 partial sets', () => {
    expect(compileError('package test\np[x] { x := 1 }\n').message).toContain('`contains` keyword is required');
  });

  it('accepts v0 syntax when asked, and v1 syntax through import rego.v1', () => {
    expect(() =>
      compile([{ path: 'a.rego', source: 'package test\nviolation[{"msg": msg}] { msg := "x" }\n' }], {
        regoVersion: 'v0',
      }),
    ).not.toThrow();
    expect(() =>
      compile([{ path: 'a.rego', source: 'package test\nimport rego.v1\np contains 1 if true\n' }], {
        regoVersion: 'v0',
      }),
    ).not.toThrow();
  });

  it('gives v0 modules the future keywords only when imported', () => {
    const plain = compile([{ path: 'a.rego', source: 'package a\np { in := 1; in == 1 }\n' }], { regoVersion: 'v0' });
    expect(plain.evalRule('data.a.p')).toBe(true);
    const imported = compile(
      [{ path: 'b.rego', source: 'package b\nimport future.keywords.every\np { every x in [1, 2] { x > 0 } }\n' }],
      { regoVersion: 'v0' },
    );
    expect(imported.evalRule('data.b.p')).toBe(true);
    expect(compileError('package c\np contains 1 { true }\n', 'v0').message).toContain('rego_parse_error');
  });

  it('collects errors of every module', () => {
    try {
      compile([
        { path: 'a.rego', source: 'package a\np := \n' },
        { path: 'b.rego', source: 'package b\nq := [\n' },
      ]);
      throw new Error('expected a compile error');
    } catch (e) {
      expect((e as RegoCompileError).errors.map((x) => x.file)).toEqual(['a.rego', 'b.rego']);
    }
  });
});

describe('safety and reference errors', () => {
  it('reports an unsafe variable in a body', () => {
    const e = compileError('package test\np if {\n  x > 1\n}\n');
    expect(e.errors).toEqual([
      { file: 'policy.rego', line: 3, col: 3, message: 'rego_unsafe_var_error: var x is unsafe' },
    ]);
  });

  it('reports each unsafe variable as its own error', () => {
    const e = compileError('package test\np if {\n  x > y\n}\n');
    expect(e.errors.map((x) => x.message)).toEqual([
      'rego_unsafe_var_error: var x is unsafe',
      'rego_unsafe_var_error: var y is unsafe',
    ]);
  });

  it('reports an unsafe variable in a rule head', () => {
    expect(compileError('package test\np contains x if { true }\n').message).toContain('var x is unsafe');
  });

  it('reports a variable only bound inside a negation', () => {
    expect(compileError('package test\np contains x if { not q[x] }\nq := {1}\n').message).toContain('var x is unsafe');
  });

  it('reports unsafe function arguments', () => {
    expect(compileError('package test\np if { count(x) > 1 }\n').message).toContain('var x is unsafe');
  });

  it('reorders expressions so later bindings make earlier ones safe', () => {
    const policy = compile([{ path: 'a.rego', source: 'package test\np := y if {\n  y > 1\n  y := 5\n}\n' }]);
    expect(policy.evalRule('data.test.p')).toBe(5);
  });

  it('rejects assigning a variable twice', () => {
    expect(compileError('package test\np if {\n  x := 1\n  x := 2\n}\n').errors[0]).toMatchObject({
      line: 4,
      message: 'rego_compile_error: var x assigned above',
    });
  });

  it('rejects else on multi-value rules', () => {
    expect(compileError('package test\np contains 1 if false else := 2\n').message).toContain(
      'else keyword cannot be used on multi-value rules',
    );
  });

  it('reports recursion', () => {
    const e = compileError('package test\np if q\nq if p\n');
    expect(e.message).toContain(
      'rego_recursion_error: rule data.test.p is recursive: data.test.p -> data.test.q -> data.test.p',
    );
  });

  it('reports recursion through functions', () => {
    expect(compileError('package test\nf(x) := g(x)\ng(x) := f(x)\n').message).toContain('is recursive');
  });

  it('reports unknown functions', () => {
    expect(compileError('package test\np if foo(1)\n').message).toContain('rego_type_error: undefined function foo');
  });

  it('reports wrong arity', () => {
    expect(compileError('package test\np if startswith("a")\n').message).toContain(
      'function startswith has arity 2, got 1 argument',
    );
  });

  it('reports conflicting rule kinds', () => {
    expect(compileError('package test\np := 1\np contains 2\n').message).toContain('conflicting rules data.test.p');
  });
});
