/** Operand checks that raise OPA's type error messages. */
import { BuiltinError } from '../errors.ts';
import { isInteger, RObject, RSet, typeName, type Value } from '../values.ts';

export function typeError(message: string): never {
  throw new BuiltinError('eval_type_error', message);
}

export function builtinError(message: string): never {
  throw new BuiltinError('eval_builtin_error', message);
}

export function operandError(pos: number, want: string, got: Value): never {
  return typeError(`operand ${pos} must be ${want} but got ${typeName(got)}`);
}

export function str(args: Value[], i: number): string {
  const v = args[i]!;
  if (typeof v !== 'string') operandError(i + 1, 'string', v);
  return v;
}

export function num(args: Value[], i: number): number | bigint {
  const v = args[i]!;
  if (typeof v !== 'number' && typeof v !== 'bigint') operandError(i + 1, 'number', v);
  return v;
}

export function int(args: Value[], i: number): number {
  const v = num(args, i);
  if (!isInteger(v)) typeError(`operand ${i + 1} must be integer number but got floating-point number`);
  return Number(v);
}

export function bool(args: Value[], i: number): boolean {
  const v = args[i]!;
  if (typeof v !== 'boolean') operandError(i + 1, 'boolean', v);
  return v;
}

export function arr(args: Value[], i: number): Value[] {
  const v = args[i]!;
  if (!Array.isArray(v)) operandError(i + 1, 'array', v);
  return v;
}

export function obj(args: Value[], i: number): RObject {
  const v = args[i]!;
  if (!(v instanceof RObject)) operandError(i + 1, 'object', v);
  return v;
}

export function set(args: Value[], i: number): RSet {
  const v = args[i]!;
  if (!(v instanceof RSet)) operandError(i + 1, 'set', v);
  return v;
}

/** Elements of an array or set operand. */
export function collection(args: Value[], i: number, want = 'one of {array, set}'): Value[] {
  const v = args[i]!;
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return [...v.values()];
  return operandError(i + 1, want, v);
}

/** Strings of a string, array or set operand (strings.any_prefix_match style). */
export function stringsOf(args: Value[], i: number): string[] {
  const v = args[i]!;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) || v instanceof RSet) {
    const items = Array.isArray(v) ? v : [...v.values()];
    for (const x of items)
      if (typeof x !== 'string')
        typeError(
          `operand ${i + 1} must be ${Array.isArray(v) ? 'array' : 'set'} of strings but got ${Array.isArray(v) ? 'array' : 'set'} containing ${typeName(x)}`,
        );
    return items as string[];
  }
  return operandError(i + 1, 'one of {string, set, array}', v);
}

/** A `*.is_valid` builtin: true when the operand is a string that parse accepts. */
export function validates(parse: (s: string) => unknown): (args: Value[]) => boolean {
  return (args) => {
    if (typeof args[0] !== 'string') return false;
    try {
      parse(args[0]);
      return true;
    } catch {
      return false;
    }
  };
}
