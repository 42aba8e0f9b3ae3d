import { beforeAll, describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { loadWasmPolicy, RegoEvalError, type WasmPolicy } from '../src/index.ts';

/**
 * A hand-written module following OPA's wasm ABI 1.2 (what opa-wasm calls): values are NUL-terminated JSON
 * text, so opa_json_parse copies and opa_json_dump is the identity. Entrypoints:
 *   test/echo    -> input (undefined without input)
 *   test/data    -> data
 *   test/abort   -> opa_abort("policy aborted on purpose")
 *   test/builtin -> custom.double(input), a builtin the host provides
 */
const WAT = String.raw`
(module
  (import "env" "memory" (memory 2))
  (import "env" "opa_abort" (func $opa_abort (param i32)))
  (import "env" "opa_builtin1" (func $opa_builtin1 (param i32 i32 i32) (result i32)))
  (global $heap (mut i32) (i32.const 4096))
  (global (export "opa_wasm_abi_version") i32 (i32.const 1))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const 2))
  (data (i32.const 16) "{\"custom.double\":0}\00")
  (data (i32.const 64) "{\"test/echo\":0,\"test/data\":1,\"test/abort\":2,\"test/builtin\":3}\00")
  (data (i32.const 256) "[{\"result\":\00")
  (data (i32.const 288) "}]\00")
  (data (i32.const 320) "[]\00")
  (data (i32.const 352) "policy aborted on purpose\00")
  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))
  (func $emit (param $src i32) (param $len i32) (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (i32.store8 (i32.add (global.get $heap) (local.get $i)) (i32.load8_u (i32.add (local.get $src) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (global.set $heap (i32.add (global.get $heap) (local.get $len))))
  (func $emitz (param $src i32) (call $emit (local.get $src) (call $strlen (local.get $src))))
  (func $nul (i32.store8 (global.get $heap) (i32.const 0)) (global.set $heap (i32.add (global.get $heap) (i32.const 1))))
  (func $parse (export "opa_json_parse") (param $addr i32) (param $len i32) (result i32) (local $p i32)
    (local.set $p (global.get $heap))
    (call $emit (local.get $addr) (local.get $len))
    (call $nul)
    (local.get $p))
  (func (export "opa_malloc") (param $n i32) (result i32) (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $n)))
    (local.get $p))
  (func (export "opa_free") (param i32))
  (func (export "opa_heap_ptr_get") (result i32) (global.get $heap))
  (func (export "opa_heap_ptr_set") (param i32) (global.set $heap (local.get 0)))
  (func (export "opa_json_dump") (param $v i32) (result i32) (local.get $v))
  (func (export "builtins") (result i32) (i32.const 16))
  (func (export "entrypoints") (result i32) (i32.const 64))
  (func $wrap (param $value i32) (result i32) (local $out i32)
    (local.set $out (global.get $heap))
    (call $emitz (i32.const 256))
    (call $emitz (local.get $value))
    (call $emitz (i32.const 288))
    (call $nul)
    (local.get $out))
  (func (export "opa_eval") (param $reserved i32) (param $entrypoint i32) (param $data i32) (param $input i32)
      (param $inputLen i32) (param $heapPtr i32) (param $format i32) (result i32) (local $v i32)
    (global.set $heap (local.get $heapPtr))
    (if (i32.eq (local.get $entrypoint) (i32.const 2)) (then (call $opa_abort (i32.const 352)) (unreachable)))
    (if (i32.eq (local.get $entrypoint) (i32.const 1)) (then (return (call $wrap (local.get $data)))))
    (if (i32.eqz (local.get $inputLen)) (then (return (i32.const 320))))
    (local.set $v (call $parse (local.get $input) (local.get $inputLen)))
    (if (i32.eq (local.get $entrypoint) (i32.const 3))
      (then (local.set $v (call $opa_builtin1 (i32.const 0) (i32.const 0) (local.get $v)))))
    (call $wrap (local.get $v)))
)`;

let bytes: Uint8Array;

beforeAll(async () => {
  const wabt = await wabtInit();
  const module = wabt.parseWat('policy.wat', WAT);
  bytes = module.toBinary({}).buffer;
  module.destroy();
});

async function load(data?: unknown): Promise<WasmPolicy> {
  return loadWasmPolicy(bytes, { data, builtins: { 'custom.double': (x: unknown) => (x as number) * 2 } });
}

describe('wasm policy adapter', () => {
  it('lists entrypoints', async () => {
    expect((await load()).entrypoints()).toEqual(['test/abort', 'test/builtin', 'test/data', 'test/echo']);
  });

  it('passes input and returns the result, by entrypoint or data path', async () => {
    const policy = await load();
    expect(policy.evalRule('test/echo', { input: { user: 'alice', roles: ['admin'] } })).toEqual({
      user: 'alice',
      roles: ['admin'],
    });
    expect(policy.evalRule('data.test.echo', { input: [1, 2] })).toEqual([1, 2]);
  });

  it('reports an undefined result as undefined', async () => {
    expect((await load()).evalRule('test/echo')).toBeUndefined();
  });

  it('loads data and replaces it', async () => {
    const policy = await load({ limits: { cpu: 2 } });
    expect(policy.evalRule('test/data')).toEqual({ limits: { cpu: 2 } });
    policy.setData({ other: true });
    expect(policy.evalRule('test/data')).toEqual({ other: true });
  });

  it('calls host builtins', async () => {
    expect((await load()).evalRule('test/builtin', { input: 21 })).toBe(42);
  });

  it('turns aborts and unknown entrypoints into RegoEvalError', async () => {
    const policy = await load();
    expect(() => policy.evalRule('test/abort', { input: {} })).toThrow(RegoEvalError);
    expect(() => policy.evalRule('test/abort', { input: {} })).toThrow('policy aborted on purpose');
    expect(() => policy.evalRule('test/missing')).toThrow('unknown entrypoint test/missing');
  });

  it('rejects bytes that are not a policy module', async () => {
    await expect(loadWasmPolicy(new Uint8Array([0, 1, 2, 3]))).rejects.toThrow('cannot load wasm policy');
  });
});
