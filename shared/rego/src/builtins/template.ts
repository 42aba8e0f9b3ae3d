/**
 * strings.render_template: the subset of Go's text/template that policies use — field and variable output
 * (`{{.a.b}}`, `{{$x}}`, `{{.}}`), `if`/`else`, `range` (with `$i, $v :=`), `with`, and `{{-`/`-}}` trimming.
 * Missing keys render as `<undefined>`, as in OPA.
 */
import { formatNumber, isNumber, RObject, RSet, toRegoString, type Value } from '../values.ts';
import { builtinError, obj, str } from './args.ts';
import type { Builtin } from './types.ts';

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'output'; expr: string }
  | { kind: 'if' | 'with'; expr: string; then: Node[]; otherwise: Node[] }
  | {
      kind: 'range';
      expr: string;
      keyVar: string | undefined;
      valueVar: string | undefined;
      body: Node[];
      otherwise: Node[];
    };

const UNDEFINED = Symbol('undefined');
type Data = Value | typeof UNDEFINED;

function tokenize(src: string): (string | { action: string })[] {
  const out: (string | { action: string })[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push(src.slice(i));
      break;
    }
    let text = src.slice(i, open);
    const close = src.indexOf('}}', open + 2);
    if (close < 0) builtinError('template: unclosed action');
    let action = src.slice(open + 2, close);
    if (action.startsWith('-')) {
      text = text.trimEnd();
      action = action.slice(1);
    }
    let next = close + 2;
    if (action.endsWith('-')) {
      action = action.slice(0, -1);
      while (next < src.length && /\s/.test(src[next]!)) next++;
    }
    if (text) out.push(text);
    out.push({ action: action.trim() });
    i = next;
  }
  return out;
}

function parse(tokens: (string | { action: string })[]): Node[] {
  let pos = 0;
  const block = (terminators: string[]): [Node[], string] => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos++]!;
      if (typeof t === 'string') {
        nodes.push({ kind: 'text', text: t });
        continue;
      }
      const a = t.action;
      const word = a.split(/\s+/)[0]!;
      if (terminators.includes(word)) return [nodes, word];
      if (word === 'if' || word === 'with') {
        const [then, end] = block(['else', 'end']);
        const otherwise = end === 'else' ? block(['end'])[0] : [];
        nodes.push({ kind: word, expr: a.slice(word.length).trim(), then, otherwise });
      } else if (word === 'range') {
        const m = /^range\s+(?:(\$\w+)\s*(?:,\s*(\$\w+))?\s*:=\s*)?(.+)$/.exec(a);
        if (!m) builtinError(`template: bad range: ${a}`);
        const [, first, second, expr] = m!;
        const [body, end] = block(['else', 'end']);
        const otherwise = end === 'else' ? block(['end'])[0] : [];
        nodes.push({
          kind: 'range',
          expr: expr!.trim(),
          keyVar: second ? first : undefined,
          valueVar: second ?? first,
          body,
          otherwise,
        });
      } else if (!a.startsWith('/*')) nodes.push({ kind: 'output', expr: a });
    }
    if (terminators.length) builtinError('template: unexpected EOF');
    return [nodes, ''];
  };
  return block([])[0];
}

function lookupPath(start: Data, path: string[]): Data {
  let cur = start;
  for (const p of path) {
    if (cur === UNDEFINED || !(cur instanceof RObject)) return UNDEFINED;
    const next = cur.get(p);
    cur = next === undefined ? UNDEFINED : next;
  }
  return cur;
}

function evaluate(expr: string, dot: Data, vars: Map<string, Data>): Data {
  const e = expr.trim();
  if (e === '.') return dot;
  if (e.startsWith('$')) {
    const [name, ...path] = e.split('.');
    const base = name === '$' ? vars.get('$') : vars.get(name!);
    return lookupPath(base ?? UNDEFINED, path);
  }
  if (e.startsWith('.')) return lookupPath(dot, e.slice(1).split('.'));
  if (/^-?\d+(\.\d+)?$/.test(e)) return Number(e);
  if (/^".*"$/.test(e)) return JSON.parse(e) as string;
  if (e === 'true' || e === 'false') return e === 'true';
  return builtinError(`template: unsupported expression: ${e}`);
}

function truthy(v: Data): boolean {
  if (v === UNDEFINED || v === null || v === false || v === '' || v === 0) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof RObject || v instanceof RSet) return v.size > 0;
  return true;
}

function print(v: Data): string {
  if (v === UNDEFINED) return '<undefined>';
  if (typeof v === 'string') return v;
  if (isNumber(v)) return formatNumber(v);
  return toRegoString(v);
}

function execute(nodes: Node[], dot: Data, vars: Map<string, Data>, out: string[]): void {
  for (const n of nodes) {
    switch (n.kind) {
      case 'text':
        out.push(n.text);
        break;
      case 'output':
        out.push(print(evaluate(n.expr, dot, vars)));
        break;
      case 'if':
      case 'with': {
        const v = evaluate(n.expr, dot, vars);
        if (truthy(v)) execute(n.then, n.kind === 'with' ? v : dot, vars, out);
        else execute(n.otherwise, dot, vars, out);
        break;
      }
      case 'range': {
        const v = evaluate(n.expr, dot, vars);
        const entries: [Value, Value][] = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : v instanceof RObject
            ? v.sortedEntries()
            : v instanceof RSet
              ? v.sorted().map((x, i) => [i, x])
              : [];
        if (!entries.length) execute(n.otherwise, dot, vars, out);
        for (const [key, value] of entries) {
          const scope = new Map(vars);
          if (n.keyVar) scope.set(n.keyVar, key);
          if (n.valueVar) scope.set(n.valueVar, value);
          execute(n.body, value, scope, out);
        }
        break;
      }
    }
  }
}

export const templateBuiltins: Builtin[] = [
  {
    name: 'strings.render_template',
    arity: 2,
    fn: (args) => {
      const data = obj(args, 1);
      const out: string[] = [];
      execute(parse(tokenize(str(args, 0))), data, new Map([['$', data]]), out);
      return out.join('');
    },
  },
];
