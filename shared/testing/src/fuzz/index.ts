import type { Client } from '@modelcontextprotocol/client';

/**
 * Argument fuzzing of a server's tools through a real MCP client: arguments generated from each tool's own input
 * schema (valid, at the boundaries, and invalid in the ways models and attackers send), each call checked for an
 * `internal` error (a bug: every input deserves a precise error) and for the server still answering afterwards.
 * Deterministic: the same seed sends the same calls.
 */

/** The part of JSON Schema the servers' input schemas use (zod's output). */
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
}

export type Kind = 'valid' | 'boundary' | 'invalid';

/** A seeded generator (mulberry32 over a hash of the seed). */
export interface Random {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function seeded(seed: string): Random {
  let state = 2166136261;
  for (const char of seed) state = Math.imul(state ^ char.charCodeAt(0), 16777619);
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

/** Names the sandboxes know, so that valid calls reach past "not found" now and then. */
export const SANDBOX_WORDS = [
  'acme',
  'service-template',
  'gitops',
  'orders',
  'payments',
  'platform',
  'default',
  'kube-system',
  'main',
  'PLAT',
  'PLAT-1',
  'orders.created.v1',
  '#platform',
  'general',
  'order-api',
  'checkout',
  'guestbook',
  'local',
  'secret/data/orders',
  'orders/db',
  'component:default/order-api',
];

/** Strings that have broken parsers, paths, templates and lookups elsewhere. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000',
  'a\nb\r\nc',
  '\u202eevil',
  'ＡＣＭＥ',
  'e\u0301\u0301\u0301',
  '😀👩‍👩‍👧',
  '\ud800',
  '{{idempotency_key}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4j-style lookup, sent as text on purpose
  '${jndi:ldap://x}',
  "'; DROP TABLE runs; --",
  '<script>alert(1)</script>',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  'null',
  'true',
  '[object Object]',
  '%s%s%s%n',
  '*',
  '?',
  '.',
  '/',
  '\\',
  'http://[/mcp',
  'javascript:alert(1)',
];

const HOSTILE_NUMBERS = [-1, -0, 0, 0.5, -0.5, 1e308, -1e308, 2 ** 53 + 1, -(2 ** 53) - 1, 4294967296, 1e-320];

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];

function typesOf(schema: Schema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return [];
}

/** An own property even when `key` is `__proto__` (an assignment would set the prototype instead). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Arguments for a tool's input schema, of the given kind. */
export function argumentsFor(schema: Schema, random: Random, kind: Kind, words: readonly string[] = []): unknown {
  const generator = new Generator(random, [...SANDBOX_WORDS, ...words]);
  const value = generator.value(schema, kind === 'boundary');
  if (kind !== 'invalid') return value;
  return generator.corrupt(schema, value);
}

class Generator {
  readonly #random: Random;
  readonly #words: string[];

  constructor(random: Random, words: string[]) {
    this.#random = random;
    this.#words = words;
  }

  /** A value the schema accepts (at its limits when `edge`), as far as a generator can tell. */
  value(schema: Schema, edge: boolean, depth = 0): unknown {
    const r = this.#random;
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return r.pick(schema.enum);
    const union = schema.anyOf ?? schema.oneOf;
    if (union) return this.value(r.pick(union), edge, depth + 1);
    if (schema.default !== undefined && !edge && r.chance(0.2)) return schema.default;
    const type = r.pick(typesOf(schema).length ? typesOf(schema) : ['string']);
    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        const required = new Set(schema.required ?? []);
        for (const [key, inner] of Object.entries(schema.properties ?? {})) {
          if (required.has(key) || (depth < 6 && r.chance(edge ? 0.8 : 0.5)))
            put(out, key, this.value(inner, edge, depth + 1));
        }
        if (typeof schema.additionalProperties === 'object' && depth < 6) {
          for (let i = r.int(0, 2); i > 0; i--) {
            const key = String(this.value(schema.propertyNames ?? { type: 'string', minLength: 1 }, edge, depth + 1));
            put(out, key, this.value(schema.additionalProperties, edge, depth + 1));
          }
        }
        return out;
      }
      case 'array': {
        const min = schema.minItems ?? 0;
        const max = Math.min(schema.maxItems ?? min + 3, min + (edge ? 50 : 3));
        const count = edge ? r.pick([min, max]) : r.int(min, max);
        return Array.from({ length: count }, () => this.value(schema.items ?? {}, edge, depth + 1));
      }
      case 'integer':
      case 'number': {
        const integer = type === 'integer';
        const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
        const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 100000);
        if (edge) return r.pick([min, max]);
        const value = min + r.next() * (max - min);
        return integer ? Math.round(value) : value;
      }
      case 'boolean':
        return r.chance(0.5);
      case 'null':
        return null;
      default:
        return this.string(schema, edge);
    }
  }

  string(schema: Schema, edge: boolean): string {
    const r = this.#random;
    const min = schema.minLength ?? 0;
    const max = schema.maxLength ?? (edge ? 5000 : 40);
    const fits = (text: string) =>
      text.length >= min && text.length <= max && (!schema.pattern || safeTest(schema.pattern, text));
    if (schema.format === 'date-time') return new Date(Date.UTC(2026, r.int(0, 11), r.int(1, 28))).toISOString();
    if (schema.format === 'uri') return r.pick(['https://example.com/hook', 'http://127.0.0.1:1/']);
    if (!edge && r.chance(0.5)) {
      const known = this.#words.filter(fits);
      if (known.length) return r.pick(known);
    }
    if (schema.pattern) {
      for (let attempt = 0; attempt < 8; attempt++) {
        const text = fromPattern(schema.pattern, r, edge ? 30 : 6);
        if (text !== undefined && fits(text)) return text;
      }
    }
    const length = edge ? r.pick([min, max]) : r.int(min, Math.min(max, min + 12));
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-';
    return Array.from({ length }, () => r.pick([...alphabet])).join('');
  }

  /**
   * `valid` made invalid in one of the ways that have broken servers, at the top level or in an object nested in
   * it (a topic inside a service, a file inside a commit).
   */
  corrupt(schema: Schema, valid: unknown): unknown {
    const r = this.#random;
    const top = (valid && typeof valid === 'object' && !Array.isArray(valid) ? { ...valid } : {}) as Record<
      string,
      unknown
    >;
    const targets: Array<{ args: Record<string, unknown>; schema: Schema }> = [{ args: top, schema }];
    for (const [name, inner] of Object.entries(schema.properties ?? {})) {
      const value = top[name];
      const item = Array.isArray(value) ? value[0] : value;
      const itemSchema = Array.isArray(value) ? inner.items : inner;
      if (item && typeof item === 'object' && !Array.isArray(item) && itemSchema?.properties) {
        targets.push({ args: item as Record<string, unknown>, schema: itemSchema });
      }
    }
    const target = r.chance(0.3) ? r.pick(targets) : targets[0]!;
    this.#mutate(target.schema, target.args);
    return top;
  }

  #mutate(schema: Schema, args: Record<string, unknown>): void {
    const r = this.#random;
    const keys = Object.keys(schema.properties ?? {});
    const key = keys.length ? r.pick(keys) : 'value';
    const inner = schema.properties?.[key] ?? {};
    switch (r.int(0, 10)) {
      case 0: // a required argument missing
        delete args[r.pick(schema.required?.length ? schema.required : [key])];
        break;
      case 1: // the wrong type
        put(args, key, this.wrongType(inner));
        break;
      case 2: // a huge string, sometimes over the argument size limit
        put(args, key, 'x'.repeat(r.pick([10_000, 100_000, 1_100_000])));
        break;
      case 3: // hostile text
        put(args, key, r.pick(HOSTILE_STRINGS));
        break;
      case 4: // prototype keys beside the real ones, or as the only ones
        put(args, r.pick(PROTOTYPE_KEYS), r.pick<unknown>([{}, 1, 'x', null, { polluted: true }]));
        if (r.chance(0.5) && inner.type === 'object') put(args, key, { [r.pick(PROTOTYPE_KEYS)]: 'x' });
        break;
      case 5: // numbers out of range, negative, not integers, NaN and Infinity as strings
        put(args, key, r.chance(0.7) ? r.pick(HOSTILE_NUMBERS) : r.pick(['NaN', 'Infinity', '-Infinity', '1e999']));
        break;
      case 6: // deep nesting, just under and far over the depth limit
        put(args, key, nested(r.pick([10, 63, 65, 200, 1000]), r.chance(0.5)));
        break;
      case 7: // arguments no tool declares
        put(args, r.pick(['unknown', 'extra_field', '$where', 'constructor']), r.pick(HOSTILE_STRINGS));
        break;
      case 8: // a long array
        put(
          args,
          key,
          Array.from({ length: r.pick([1000, 20_000]) }, (_, i) => (r.chance(0.5) ? i : `item-${i}`)),
        );
        break;
      case 9: // strings at a length just past the limit, or a pattern's near miss
        put(
          args,
          key,
          inner.maxLength !== undefined ? 'a'.repeat(inner.maxLength + 1) : `${this.string(inner, false)}!`,
        );
        break;
      default: // all at once: every argument hostile
        for (const name of keys)
          put(args, name, r.chance(0.5) ? r.pick(HOSTILE_STRINGS) : this.wrongType(schema.properties![name]!));
    }
  }

  wrongType(schema: Schema): unknown {
    const r = this.#random;
    const types = typesOf(schema);
    const candidates: unknown[] = [null, true, 42, -1, 'text', [], [1, 'a'], {}, { a: { b: 'c' } }];
    const wrong = candidates.filter((value) => {
      const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
      return !types.some((type) => type === actual || (type === 'integer' && actual === 'number'));
    });
    return r.pick(wrong.length ? wrong : candidates);
  }
}

function nested(depth: number, arrays: boolean): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
}

function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(text);
  } catch {
    return new RegExp(pattern).test(text);
  }
}

/**
 * A string matching a regular expression, for the patterns input schemas use: literals, classes, escapes, groups
 * with alternatives, quantifiers; lookarounds are left out (the caller re-checks the result). Undefined when the
 * pattern uses something else.
 */
export function fromPattern(pattern: string, random: Random, spread = 6): string | undefined {
  let at = 0;
  const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
  const classes: Record<string, string[]> = {
    d: [...'0123456789'],
    w: [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'],
    s: [' '],
  };
  const escaped = (char: string): string[] => {
    if (classes[char]) return classes[char]!;
    const upper = classes[char.toLowerCase()];
    if (upper) return printable.filter((c) => !upper.includes(c) && c !== ' ');
    return [char];
  };

  // alternatives := sequence ('|' sequence)*
  const alternatives = (): string => {
    const starts: number[] = [at];
    skipSequence();
    while (pattern[at] === '|') {
      at++;
      starts.push(at);
      skipSequence();
    }
    const end = at;
    at = random.pick(starts);
    const text = sequence();
    at = end;
    return text;
  };
  // Walks over one sequence without producing (to find the alternatives of a group).
  const skipSequence = () => {
    let depth = 0;
    while (at < pattern.length) {
      const char = pattern[at]!;
      if (char === '\\') at += 2;
      else if (char === '[') {
        at++;
        while (at < pattern.length && pattern[at] !== ']') at += pattern[at] === '\\' ? 2 : 1;
        at++;
      } else if (char === '(') {
        depth++;
        at++;
      } else if (char === ')') {
        if (depth === 0) return;
        depth--;
        at++;
      } else if (char === '|' && depth === 0) return;
      else at++;
    }
  };
  const sequence = (): string => {
    let out = '';
    while (at < pattern.length && pattern[at] !== '|' && pattern[at] !== ')') {
      const produce = atom();
      const [min, max] = quantifier();
      const count = random.int(min, max);
      let text = '';
      const start = at;
      for (let i = 0; i < count; i++) text += produce();
      at = start;
      out += text;
    }
    return out;
  };
  const atom = (): (() => string) => {
    const char = pattern[at]!;
    if (char === '^' || char === '$') {
      at++;
      return () => '';
    }
    if (char === '(') {
      at++;
      let lookaround = false;
      if (pattern[at] === '?') {
        lookaround = pattern[at + 1] === '!' || pattern[at + 1] === '=';
        at += 2;
      }
      const start = at;
      skipGroup();
      return () => {
        if (lookaround) return '';
        const saved = at;
        at = start;
        const text = alternatives();
        at = saved;
        return text;
      };
    }
    if (char === '[') {
      at++;
      const negated = pattern[at] === '^';
      if (negated) at++;
      const set: string[] = [];
      while (at < pattern.length && pattern[at] !== ']') {
        let first = pattern[at]!;
        if (first === '\\') {
          const group = escaped(pattern[at + 1]!);
          at += 2;
          if (group.length > 1) {
            set.push(...group);
            continue;
          }
          first = group[0]!;
        } else at++;
        if (pattern[at] === '-' && pattern[at + 1] !== ']' && at + 1 < pattern.length) {
          let last = pattern[at + 1]!;
          at += 2;
          if (last === '\\') {
            last = pattern[at]!;
            at++;
          }
          for (let code = first.charCodeAt(0); code <= last.charCodeAt(0); code++) set.push(String.fromCharCode(code));
        } else set.push(first);
      }
      at++;
      const choices = negated ? printable.filter((c) => !set.includes(c)) : set;
      return () => random.pick(choices.length ? choices : ['a']);
    }
    if (char === '\\') {
      const group = escaped(pattern[at + 1]!);
      at += 2;
      return () => random.pick(group);
    }
    if (char === '.') {
      at++;
      return () => random.pick(classes.w!);
    }
    at++;
    return () => char;
  };
  const skipGroup = () => {
    let depth = 1;
    while (at < pattern.length && depth > 0) {
      const char = pattern[at]!;
      if (char === '\\') at += 2;
      else if (char === '[') {
        at++;
        while (at < pattern.length && pattern[at] !== ']') at += pattern[at] === '\\' ? 2 : 1;
        at++;
      } else {
        if (char === '(') depth++;
        if (char === ')') depth--;
        at++;
      }
    }
  };
  const quantifier = (): [number, number] => {
    const char = pattern[at];
    const simple: Record<string, [number, number]> = { '?': [0, 1], '*': [0, spread], '+': [1, spread] };
    if (char !== undefined && simple[char]) {
      at++;
      return simple[char]!;
    }
    if (char === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at));
      if (match) {
        at += match[0].length;
        const min = Number(match[1]);
        const max = match[2] ? (match[3] ? Number(match[3]) : min + spread) : min;
        return [min, Math.min(max, min + spread * 5)];
      }
    }
    return [1, 1];
  };
  try {
    const text = alternatives();
    return at >= pattern.length ? text : undefined;
  } catch {
    return undefined;
  }
}

export interface FuzzCall {
  tool: string;
  kind: Kind;
  args: unknown;
}

export interface FuzzFinding extends FuzzCall {
  /** `internal`, `crash` (the server stopped answering), `hang` (no answer in time) or `protocol` (a JSON-RPC error). */
  problem: 'internal' | 'crash' | 'hang' | 'protocol';
  message: string;
}

export interface FuzzReport {
  tools: number;
  calls: number;
  /** How many calls ended how: `ok`, or the error code of the result. */
  outcomes: Record<string, number>;
  findings: FuzzFinding[];
  ms: number;
}

export interface FuzzOptions {
  seed: string;
  calls: number;
  /** Tools left out (by name), with the reason in the caller's code. */
  skip?: readonly string[];
  /** One call's limit before it counts as a hang. */
  timeoutMs?: number;
}

/** How many calls a fuzz test makes per server: IDP_MCP_FUZZ_CALLS, else the CI slice. */
export function fuzzCalls(env: Record<string, string | undefined> = process.env, ciSlice = 150): number {
  const calls = Number(env.IDP_MCP_FUZZ_CALLS ?? ciSlice);
  return Number.isInteger(calls) && calls > 0 ? calls : ciSlice;
}

/**
 * Calls every tool the client lists, in turn, `calls` times in all: 40% valid arguments, 20% at the schema's
 * boundaries, 40% invalid. Records every call that ended in `internal`, a protocol error, no answer in time, or a
 * server that no longer answers.
 */
export async function fuzzTools(client: Client, options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const random = seeded(options.seed);
  const tools = (await client.listTools()).tools.filter((tool) => !options.skip?.includes(tool.name));
  const words = tools.map((tool) => tool.name);
  const outcomes: Record<string, number> = {};
  const findings: FuzzFinding[] = [];
  const timeout = options.timeoutMs ?? 30_000;
  for (let i = 0; i < options.calls; i++) {
    const tool = tools[i % tools.length]!;
    const roll = random.next();
    const kind: Kind = roll < 0.4 ? 'valid' : roll < 0.6 ? 'boundary' : 'invalid';
    const args = argumentsFor(tool.inputSchema as Schema, random, kind, words) as Record<string, unknown>;
    const call: FuzzCall = { tool: tool.name, kind, args };
    try {
      const result = await client.callTool({ name: tool.name, arguments: args }, { timeout });
      const code = result.isError
        ? String((result._meta?.['idp-mcp/error'] as { code?: string } | undefined)?.code ?? 'error')
        : 'ok';
      outcomes[code] = (outcomes[code] ?? 0) + 1;
      if (code === 'internal') findings.push({ ...call, problem: 'internal', message: textOfResult(result) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // The HTTP layer's body limit refusing a request (413) is the answer it should get, not a finding.
      if (/request body over the \d+-byte limit/.test(message)) {
        outcomes.body_too_large = (outcomes.body_too_large ?? 0) + 1;
        continue;
      }
      const hang = /timed? ?out/i.test(message);
      outcomes[hang ? 'hang' : 'protocol'] = (outcomes[hang ? 'hang' : 'protocol'] ?? 0) + 1;
      findings.push({ ...call, problem: hang ? 'hang' : 'protocol', message });
    }
    try {
      // Still answering (ping is not part of every protocol era; tools/list is).
      await client.listTools(undefined, { timeout: 10_000 });
    } catch (error) {
      findings.push({ ...call, problem: 'crash', message: String(error) });
      break;
    }
  }
  return { tools: tools.length, calls: options.calls, outcomes, findings, ms: performance.now() - started };
}

function textOfResult(result: { content?: unknown }): string {
  const [first] = (result.content ?? []) as Array<{ text?: string }>;
  return first?.text ?? '';
}

/** A finding as one line a test failure can show: the tool, the kind, the arguments (cut short) and what happened. */
export function describeFinding(finding: FuzzFinding): string {
  let args: string;
  try {
    args = JSON.stringify(finding.args) ?? 'undefined';
  } catch (error) {
    args = `(not serializable: ${String(error)})`;
  }
  return `${finding.problem} ${finding.tool} (${finding.kind}) ${args.length > 300 ? `${args.slice(0, 300)}…` : args}: ${finding.message.slice(0, 300)}`;
}
