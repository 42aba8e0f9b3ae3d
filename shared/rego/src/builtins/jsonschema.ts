/**
 * json.verify_schema and json.match_schema: a JSON Schema (draft 4-7 core keywords) validator that reports
 * errors as gojsonschema, the library OPA uses, words them.
 */
import {
  compare,
  equal,
  isInteger,
  isNumber,
  parseJSON,
  RObject,
  RSet,
  stringify,
  typeName,
  type Value,
} from '../values.ts';
import { builtinError, typeError } from './args.ts';
import type { Builtin } from './types.ts';

const TYPES = ['array', 'boolean', 'integer', 'number', 'null', 'object', 'string'];

interface SchemaError {
  type: string;
  field: string;
  desc: string;
}

class InvalidSchema extends Error {}

/** A document or schema operand: an object/array value or its JSON text. */
function operand(v: Value, pos: number): Value {
  if (typeof v !== 'string') {
    if (v instanceof RObject || Array.isArray(v) || typeof v === 'boolean') return v;
    return typeError(`operand ${pos} must be one of {object, string} but got ${typeName(v)}`);
  }
  try {
    return parseJSON(v);
  } catch (e) {
    return builtinError(`operand ${pos}: ${(e as Error).message}`);
  }
}

/** Checks the parts of a schema the validator relies on; throws InvalidSchema like gojsonschema's loader. */
function checkSchema(schema: Value): void {
  if (typeof schema === 'boolean') return;
  if (!(schema instanceof RObject)) throw new InvalidSchema('Invalid JSON schema: must be an object or a boolean');
  const type = schema.get('type');
  for (const t of Array.isArray(type) ? type : type === undefined ? [] : [type]) {
    if (typeof t !== 'string' || !TYPES.includes(t))
      throw new InvalidSchema(
        `has a primitive type that is NOT VALID -- given: /${typeof t === 'string' ? t : stringify(t)}/ Expected valid values are:[${TYPES.join(' ')}]`,
      );
  }
  for (const key of ['properties', 'patternProperties', 'definitions', '$defs']) {
    const sub = schema.get(key);
    if (sub instanceof RObject) for (const [, s] of sub.entries()) checkSchema(s);
  }
  for (const key of ['items', 'additionalProperties', 'additionalItems', 'not', 'if', 'then', 'else', 'contains']) {
    const sub = schema.get(key);
    if (Array.isArray(sub)) for (const s of sub) checkSchema(s);
    else if (sub instanceof RObject) checkSchema(sub);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const sub = schema.get(key);
    if (Array.isArray(sub)) for (const s of sub) checkSchema(s);
  }
}

function jsonType(v: Value): string {
  if (isNumber(v)) return isInteger(v) ? 'integer' : 'number';
  const t = typeName(v);
  return t === 'set' ? 'array' : t;
}

function fieldName(path: string[]): string {
  return path.length ? path.join('.') : '(root)';
}

class Validator {
  readonly errors: SchemaError[] = [];
  private readonly root: Value;

  constructor(root: Value) {
    this.root = root;
  }

  private fail(type: string, path: string[], desc: string): void {
    this.errors.push({ type, field: fieldName(path), desc });
  }

  private resolve(ref: string): Value {
    if (!ref.startsWith('#')) throw new InvalidSchema(`unsupported $ref ${ref}`);
    let cur: Value | undefined = this.root;
    for (const part of ref.slice(1).split('/').filter(Boolean)) {
      cur = cur instanceof RObject ? cur.get(part.replace(/~1/g, '/').replace(/~0/g, '~')) : undefined;
      if (cur === undefined) throw new InvalidSchema(`cannot resolve $ref ${ref}`);
    }
    return cur;
  }

  /** Whether value matches schema, without recording errors. */
  private matches(v: Value, schema: Value, path: string[]): boolean {
    const sub = new Validator(this.root);
    sub.validate(v, schema, path);
    return sub.errors.length === 0;
  }

  validate(v: Value, schema: Value, path: string[]): void {
    if (schema === true) return;
    if (schema === false) {
      this.fail('false', path, 'False always fails validation');
      return;
    }
    if (!(schema instanceof RObject)) return;
    const ref = schema.get('$ref');
    if (typeof ref === 'string') {
      this.validate(v, this.resolve(ref), path);
      return;
    }
    const type = schema.get('type');
    if (type !== undefined) {
      const allowed = (Array.isArray(type) ? type : [type]) as string[];
      const actual = jsonType(v);
      if (!allowed.includes(actual) && !(actual === 'integer' && allowed.includes('number'))) {
        this.fail('invalid_type', path, `Invalid type. Expected: ${allowed.join('/')}, given: ${actual}`);
        return;
      }
    }
    const en = schema.get('enum');
    if (Array.isArray(en) && !en.some((x) => equal(x, v)))
      this.fail('enum', path, `${fieldName(path)} must be one of the following: ${en.map(stringify).join(', ')}`);
    const cn = schema.get('const');
    if (cn !== undefined && !equal(cn, v))
      this.fail('const', path, `${fieldName(path)} does not match: ${stringify(cn)}`);
    for (const key of ['allOf', 'anyOf', 'oneOf']) {
      const subs = schema.get(key);
      if (!Array.isArray(subs)) continue;
      const ok = subs.filter((s) => this.matches(v, s, path)).length;
      if (key === 'allOf' && ok < subs.length) {
        for (const s of subs) this.validate(v, s, path);
        this.fail('number_all_of', path, 'Must validate all the schemas (allOf)');
      }
      if (key === 'anyOf' && ok === 0) this.fail('number_any_of', path, 'Must validate at least one schema (anyOf)');
      if (key === 'oneOf' && ok !== 1)
        this.fail('number_one_of', path, 'Must validate one and only one schema (oneOf)');
    }
    const not = schema.get('not');
    if (not !== undefined && this.matches(v, not, path))
      this.fail('number_not', path, 'Must not validate the schema (not)');
    const cond = schema.get('if');
    if (cond !== undefined) {
      const branch = schema.get(this.matches(v, cond, path) ? 'then' : 'else');
      if (branch !== undefined) this.validate(v, branch, path);
    }
    if (v instanceof RObject) this.validateObject(v, schema, path);
    else if (Array.isArray(v)) this.validateArray(v, schema, path);
    else if (typeof v === 'string') this.validateString(v, schema, path);
    else if (isNumber(v)) this.validateNumber(Number(v), schema, path);
  }

  private validateObject(v: RObject, schema: RObject, path: string[]): void {
    const required = schema.get('required');
    if (Array.isArray(required))
      for (const r of required) if (typeof r === 'string' && !v.has(r)) this.fail('required', path, `${r} is required`);
    const props = schema.get('properties');
    const patterns = schema.get('patternProperties');
    const additional = schema.get('additionalProperties');
    for (const [k, child] of v.entries()) {
      const key = typeof k === 'string' ? k : stringify(k);
      let covered = false;
      const ps = props instanceof RObject ? props.get(key) : undefined;
      if (ps !== undefined) {
        covered = true;
        this.validate(child, ps, [...path, key]);
      }
      if (patterns instanceof RObject)
        for (const [p, s] of patterns.entries())
          if (typeof p === 'string' && new RegExp(p, 'u').test(key)) {
            covered = true;
            this.validate(child, s, [...path, key]);
          }
      if (!covered && additional === false)
        this.fail('additional_property_not_allowed', path, `Additional property ${key} is not allowed`);
      else if (!covered && additional instanceof RObject) this.validate(child, additional, [...path, key]);
    }
    const min = schema.get('minProperties');
    if (isNumber(min) && v.size < Number(min))
      this.fail('array_min_properties', path, `Must have at least ${min} properties`);
    const max = schema.get('maxProperties');
    if (isNumber(max) && v.size > Number(max))
      this.fail('array_max_properties', path, `Must have at most ${max} properties`);
  }

  private validateArray(v: Value[], schema: RObject, path: string[]): void {
    const items = schema.get('items');
    if (Array.isArray(items)) {
      items.forEach((s, i) => {
        if (i < v.length) this.validate(v[i]!, s, [...path, String(i)]);
      });
      const extra = schema.get('additionalItems');
      if (extra === false && v.length > items.length)
        this.fail('array_no_additional_items', path, 'No additional items allowed on array');
    } else if (items !== undefined)
      for (let i = 0; i < v.length; i++) this.validate(v[i]!, items, [...path, String(i)]);
    const min = schema.get('minItems');
    if (isNumber(min) && v.length < Number(min))
      this.fail('array_min_items', path, `Array must have at least ${min} items`);
    const max = schema.get('maxItems');
    if (isNumber(max) && v.length > Number(max))
      this.fail('array_max_items', path, `Array must have at most ${max} items`);
    if (schema.get('uniqueItems') === true) {
      const sorted = [...v].sort(compare);
      if (sorted.some((x, i) => i > 0 && equal(x, sorted[i - 1]!)))
        this.fail('unique', path, `${fieldName(path)} items must be unique`);
    }
    const contains = schema.get('contains');
    if (contains !== undefined && !v.some((x, i) => this.matches(x, contains, [...path, String(i)])))
      this.fail('contains', path, 'At least one of the items must match');
  }

  private validateString(v: string, schema: RObject, path: string[]): void {
    const length = [...v].length;
    const min = schema.get('minLength');
    if (isNumber(min) && length < Number(min))
      this.fail('string_gte', path, `String length must be greater than or equal to ${min}`);
    const max = schema.get('maxLength');
    if (isNumber(max) && length > Number(max))
      this.fail('string_lte', path, `String length must be less than or equal to ${max}`);
    const pattern = schema.get('pattern');
    if (typeof pattern === 'string' && !new RegExp(pattern, 'u').test(v))
      this.fail('pattern', path, `Does not match pattern '${pattern}'`);
  }

  private validateNumber(v: number, schema: RObject, path: string[]): void {
    const num = (k: string) => {
      const x = schema.get(k);
      return isNumber(x) ? Number(x) : undefined;
    };
    const min = num('minimum');
    const max = num('maximum');
    const exMin = schema.get('exclusiveMinimum');
    const exMax = schema.get('exclusiveMaximum');
    if (min !== undefined && (exMin === true ? v <= min : v < min))
      this.fail(
        exMin === true ? 'number_gt' : 'number_gte',
        path,
        `Must be greater than ${exMin === true ? '' : 'or equal to '}${min}`,
      );
    if (isNumber(exMin) && v <= Number(exMin)) this.fail('number_gt', path, `Must be greater than ${exMin}`);
    if (max !== undefined && (exMax === true ? v >= max : v > max))
      this.fail(
        exMax === true ? 'number_lt' : 'number_lte',
        path,
        `Must be less than ${exMax === true ? '' : 'or equal to '}${max}`,
      );
    if (isNumber(exMax) && v >= Number(exMax)) this.fail('number_lt', path, `Must be less than ${exMax}`);
    const multiple = num('multipleOf');
    if (multiple !== undefined && Math.abs(v / multiple - Math.round(v / multiple)) > 1e-9)
      this.fail('multiple_of', path, `Must be a multiple of ${multiple}`);
  }
}

function errorObject(e: SchemaError): RObject {
  const o = new RObject();
  o.set('error', `${e.field}: ${e.desc}`);
  o.set('desc', e.desc);
  o.set('field', e.field);
  o.set('type', e.type);
  return o;
}

export const schemaBuiltins: Builtin[] = [
  {
    name: 'json.verify_schema',
    arity: 1,
    fn: (args) => {
      try {
        checkSchema(operand(args[0]!, 1));
        return [true, null];
      } catch (e) {
        if (e instanceof InvalidSchema) return [false, `jsonschema: ${e.message}`];
        throw e;
      }
    },
  },
  {
    name: 'json.match_schema',
    arity: 2,
    fn: (args) => {
      const doc = operand(args[0]!, 1);
      const schema = operand(args[1]!, 2);
      try {
        checkSchema(schema);
        const v = new Validator(schema);
        v.validate(doc instanceof RSet ? doc.sorted() : doc, schema, []);
        return [v.errors.length === 0, v.errors.map(errorObject)];
      } catch (e) {
        if (e instanceof InvalidSchema) return builtinError(e.message);
        throw e;
      }
    },
  },
];
