/** Regular expressions with Go RE2 syntax translated to JavaScript, and glob matching. */
import type { Value } from '../values.ts';
import { arr, builtinError, int, str, typeError, validates } from './args.ts';
import type { Builtin } from './types.ts';

const POSIX: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\t\\n\\v\\f\\r ',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  print: ' -~',
  graph: '!-~',
  ascii: '\\x00-\\x7f',
};

class RegexSyntaxError extends Error {}

/** Translates an RE2 pattern to a JS RegExp source and flags; rejects what RE2 rejects (backreferences, lookaround). */
function translateRE2(pattern: string): { source: string; flags: string } {
  let flags = '';
  let src = '';
  let i = 0;
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    for (const f of lead[1]!) if (f !== 'U' && !flags.includes(f)) flags += f;
    i = lead[0].length;
  }
  let inClass = false;
  let classStart = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) throw new RegexSyntaxError('trailing backslash at end of expression');
      if (/[1-9]/.test(n)) throw new RegexSyntaxError(`invalid escape sequence: \`\\${n}\``);
      if (n === 'z') src += '(?![\\s\\S])';
      else if (n === 'A') src += '(?<![\\s\\S])';
      else if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const lit = pattern.slice(i + 2, end < 0 ? undefined : end);
        src += lit.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
        i = end < 0 ? pattern.length : end + 2;
        continue;
      } else if (n === 'p' || n === 'P') {
        const m = /^\\[pP](\{[A-Za-z_]+\}|[A-Za-z])/.exec(pattern.slice(i));
        if (!m) throw new RegexSyntaxError('invalid character class range');
        src += m[1]!.startsWith('{') ? m[0] : `\\${n}{${m[1]}}`;
        if (!flags.includes('u')) flags += 'u';
        i += m[0].length;
        continue;
      } else if (/[A-Za-z0-9]/.test(n)) src += `\\${n}`;
      else src += /[\\^$.|?*+()[\]{}/-]/.test(n) ? `\\${n}` : n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
        if (m && POSIX[m[2]!]) {
          if (m[1]) throw new RegexSyntaxError('negated POSIX class unsupported');
          src += POSIX[m[2]!];
          i += m[0].length;
          continue;
        }
      }
      if (c === ']') inClass = false;
      src += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      classStart = i;
      src += c;
      i++;
      if (pattern[i] === '^') {
        src += '^';
        i++;
      }
      if (pattern[i] === ']') {
        src += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      if (rest.startsWith('P<')) {
        src += '(?<';
        i += 4;
        continue;
      }
      if (rest.startsWith('<') && !rest.startsWith('<=') && !rest.startsWith('<!')) {
        src += '(?<';
        i += 3;
        continue;
      }
      if (rest.startsWith(':')) {
        src += '(?:';
        i += 3;
        continue;
      }
      const fm = /^([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
      if (fm) {
        const on = fm[1]!.replace(/U/g, '');
        const off = (fm[2] ?? '').replace(/U/g, '');
        if (fm[3] === ':') src += on || off ? `(?${on}${off ? `-${off}` : ''}:` : '(?:';
        else {
          // flags for the rest of the group: wrap the remainder in a modifier group
          const inner = translateRE2(pattern.slice(i + 2 + fm[0].length));
          src += `(?${on}${off ? `-${off}` : ''}:${inner.source})`;
          return { source: src, flags: mergeFlags(flags, inner.flags) };
        }
        i += 2 + fm[0].length;
        continue;
      }
      throw new RegexSyntaxError(`invalid or unsupported Perl syntax: \`(?${rest[0] ?? ''}\``);
    }
    src += c;
    i++;
  }
  if (inClass) throw new RegexSyntaxError(`missing closing ]: \`${pattern.slice(classStart)}\``);
  return { source: src, flags };
}

function mergeFlags(a: string, b: string): string {
  let out = a;
  for (const f of b) if (!out.includes(f)) out += f;
  return out;
}

const cache = new Map<string, RegExp | Error>();

/** Compiles (and caches) an RE2 pattern as a global JS RegExp; throws a builtin error when invalid. */
function compileRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    try {
      const { source, flags } = translateRE2(pattern);
      re = new RegExp(source, `${flags}g`);
    } catch (e) {
      re = new Error(`error parsing regexp: ${(e as Error).message}`);
    }
    if (cache.size > 5000) cache.clear();
    cache.set(pattern, re);
  }
  if (re instanceof Error) builtinError(re.message);
  return re;
}

/** All matches as Go's FindAll does: no empty match right after the previous match. */
function findAll(re: RegExp, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  let prevEnd = -1;
  while (n < 0 || out.length < n) {
    const m = re.exec(s);
    if (!m) break;
    const end = m.index + m[0].length;
    if (m[0].length === 0) {
      re.lastIndex = m.index + 1;
      if (m.index === prevEnd) {
        if (re.lastIndex > s.length) break;
        continue;
      }
    }
    out.push(m);
    prevEnd = end;
    if (re.lastIndex > s.length) break;
  }
  re.lastIndex = 0;
  return out;
}

function test(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  const r = re.test(s);
  re.lastIndex = 0;
  return r;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** gobwas/glob semantics: `*` stops at delimiters, `**` does not, `?`, classes, `{a,b}` alternatives. */
function globToRegex(pattern: string, delimiters: string[]): RegExp {
  const notDelim = delimiters.length ? `[^${delimiters.map(escapeRegex).join('')}]` : '[\\s\\S]';
  let src = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      src += escapeRegex(pattern[i] ?? '\\');
    } else if (c === '*') {
      if (pattern[i + 1] === '*') {
        src += '[\\s\\S]*';
        i++;
      } else src += `${notDelim}*`;
    } else if (c === '?') src += notDelim;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new Error('unexpected end of input');
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      src += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{') {
      depth++;
      src += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      src += ')';
    } else if (c === ',' && depth > 0) src += '|';
    else src += escapeRegex(c);
  }
  if (depth > 0) throw new Error('unexpected end of input');
  return new RegExp(`^${src}$`);
}

const globCache = new Map<string, RegExp>();

export const regexBuiltins: Builtin[] = [
  { name: 'regex.match', arity: 2, fn: (args) => test(compileRegex(str(args, 0)), str(args, 1)) },
  { name: 're_match', arity: 2, fn: (args) => test(compileRegex(str(args, 0)), str(args, 1)) },
  { name: 'regex.is_valid', arity: 1, fn: validates(compileRegex) },
  {
    name: 'regex.find_n',
    arity: 3,
    fn: (args) => findAll(compileRegex(str(args, 0)), str(args, 1), int(args, 2)).map((m) => m[0]),
  },
  {
    name: 'regex.find_all_string_submatch_n',
    arity: 3,
    fn: (args) =>
      findAll(compileRegex(str(args, 0)), str(args, 1), int(args, 2)).map((m) => [...m].map((g) => g ?? '')),
  },
  {
    name: 'regex.split',
    arity: 2,
    fn: (args) => {
      const re = compileRegex(str(args, 0));
      const s = str(args, 1);
      if (s === '') return [''];
      const out: Value[] = [];
      let beg = 0;
      let end = 0;
      for (const m of findAll(re, s, -1)) {
        end = m.index;
        if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
        beg = m.index + m[0].length;
      }
      if (end !== s.length) out.push(s.slice(beg));
      return out;
    },
  },
  {
    name: 'regex.replace',
    arity: 3,
    fn: (args) => {
      const s = str(args, 0);
      const re = compileRegex(str(args, 1));
      const repl = str(args, 2).replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => {
        const name = a ?? b!;
        return /^\d+$/.test(name) ? `$${name}` : `$<${name}>`;
      });
      re.lastIndex = 0;
      return s.replace(re, repl);
    },
  },
  {
    name: 'regex.template_match',
    arity: 4,
    fn: (args) => {
      const template = str(args, 0);
      const value = str(args, 1);
      const open = str(args, 2);
      const close = str(args, 3);
      let src = '';
      let i = 0;
      while (i < template.length) {
        const start = template.indexOf(open, i);
        if (start < 0) {
          src += escapeRegex(template.slice(i));
          break;
        }
        src += escapeRegex(template.slice(i, start));
        let depth = 0;
        let j = start + open.length;
        for (; j < template.length; j++) {
          if (template.startsWith(open, j)) depth++;
          else if (template.startsWith(close, j)) {
            if (depth === 0) break;
            depth--;
          }
        }
        if (j >= template.length) builtinError(`unbalanced braces in ${JSON.stringify(template)}`);
        src += `(?:${translateRE2(template.slice(start + open.length, j)).source})`;
        i = j + close.length;
      }
      return new RegExp(`^${src}$`).test(value);
    },
  },
  {
    name: 'glob.match',
    arity: 3,
    fn: (args) => {
      const pattern = str(args, 0);
      const d = args[1]!;
      let delimiters: string[];
      if (d === null) delimiters = [];
      else {
        const items = arr(args, 1);
        for (const x of items) if (typeof x !== 'string') typeError('operand 2 must be array of strings');
        delimiters = items.length ? (items as string[]) : ['.'];
      }
      const key = `${pattern}\u0000${delimiters.join('\u0000')}`;
      let re = globCache.get(key);
      if (!re) {
        try {
          re = globToRegex(pattern, delimiters);
        } catch (e) {
          return builtinError((e as Error).message);
        }
        globCache.set(key, re);
      }
      return re.test(str(args, 2));
    },
  },
  {
    name: 'glob.quote_meta',
    arity: 1,
    fn: (args) => str(args, 0).replace(/[*?\\[\]{}]/g, '\\$&'),
  },
];
