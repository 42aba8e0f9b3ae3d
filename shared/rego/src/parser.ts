/** Recursive-descent parser for Rego v0 and v1 modules and queries (syntax per module, v1 through `import rego.v1`). */
import type {
  ElseClause,
  Expr,
  ExprNode,
  ImportAst,
  ModuleAst,
  RuleAst,
  RuleHead,
  TemplatePart,
  Term,
  With,
} from './ast.ts';
import type { Location } from './errors.ts';
import { type Comment, LexError, lex, scanEmbedded, type Token } from './lexer.ts';
import { parseNumberLiteral } from './values.ts';

export class ParseError extends Error {
  readonly loc: Location;
  constructor(message: string, loc: Location) {
    super(message);
    this.loc = loc;
  }
}

const RESERVED = new Set(['package', 'import', 'not', 'with', 'as', 'default', 'else', 'some']);
/** Keywords of v1 that v0 modules only have after `import future.keywords[.name]` or `import rego.v1`. */
const FUTURE_KEYWORDS = ['in', 'every', 'if', 'contains'];
const RELATIONS: Record<string, string> = {
  '==': 'equal',
  '!=': 'neq',
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
};
const ARITH: Record<string, string> = { '+': 'plus', '-': 'minus' };
const FACTOR: Record<string, string> = { '*': 'mul', '/': 'div', '%': 'rem' };

class Parser {
  private pos = 0;
  /** Set while parsing a comprehension head, where `|` separates the head from the body. */
  private noBar = false;
  private readonly tokens: Token[];
  private readonly file: string;
  v1: boolean;

  constructor(tokens: Token[], file: string, v1: boolean) {
    this.tokens = tokens;
    this.file = file;
    this.v1 = v1;
  }

  private get tok(): Token {
    return this.tokens[this.pos]!;
  }
  private peek(n = 1): Token {
    return this.tokens[Math.min(this.pos + n, this.tokens.length - 1)]!;
  }
  private loc(t: Token = this.tok): Location {
    return { file: this.file, line: t.line, col: t.col };
  }
  fail(message: string, t: Token = this.tok): never {
    throw new ParseError(message, this.loc(t));
  }
  private isPunct(p: string, t: Token = this.tok): boolean {
    return t.kind === 'punct' && t.text === p;
  }
  /** Future keywords this module has (all of them in v1). */
  private readonly future = new Set<string>();

  /** A keyword token (an identifier starting a reference, like `not.foo`, is never one). */
  private isWord(w: string, t: Token = this.tok): boolean {
    return (
      t.kind === 'ident' &&
      t.text === w &&
      !t.refStart &&
      (this.v1 || this.future.has(w) || !FUTURE_KEYWORDS.includes(w))
    );
  }
  private next(): Token {
    const t = this.tok;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private expectPunct(p: string): Token {
    if (!this.isPunct(p)) this.fail(`unexpected ${this.describe()} token: expected ${p}`);
    return this.next();
  }
  private describe(t: Token = this.tok): string {
    if (t.kind === 'eof') return 'eof';
    if (t.kind === 'ident') return `ident`;
    return t.kind === 'punct' ? t.text : t.kind;
  }
  atEnd(): boolean {
    return this.tok.kind === 'eof';
  }

  parseModule(): Omit<ModuleAst, 'regoVersion'> {
    if (!this.isWord('package')) this.fail('package expected');
    const packageLoc = this.loc();
    this.next();
    const pkgRef = this.parseRefTerm();
    const pkg = refToPath(pkgRef);
    if (!pkg) this.fail('package path must be a reference of strings', this.tokens[this.pos - 1]);
    const packagePath = ['data', ...pkg];
    const imports: ImportAst[] = [];
    while (this.isWord('import')) {
      const loc = this.loc();
      this.next();
      const path = this.parseRefTerm();
      let alias: string | undefined;
      if (this.isWord('as') && !this.tok.nl) {
        this.next();
        alias = this.next().text;
      }
      const p = refToPath(path);
      if (p && p[0] === 'rego' && p[1] === 'v1') this.v1 = true;
      if (p && p[0] === 'future' && p[1] === 'keywords')
        for (const k of p.length === 2 ? FUTURE_KEYWORDS : p.slice(2)) {
          this.future.add(k);
          if (k === 'every') this.future.add('in');
        }
      imports.push({ path, alias, loc });
    }
    const rules: RuleAst[] = [];
    while (!this.atEnd()) {
      if (this.isWord('import')) this.fail('imports must come before rules');
      if (this.isWord('package')) this.fail('unexpected package keyword');
      rules.push(...this.parseRule());
    }
    return { file: this.file, packagePath, packageLoc, imports, rules };
  }

  private parseHeadRef(): Term[] {
    const t = this.tok;
    if (t.kind !== 'ident') this.fail(`unexpected ${this.describe()} token: expected rule head`);
    this.next();
    const ref: Term[] = [{ type: 'var', name: t.text, loc: this.loc(t) }];
    for (;;) {
      if (this.isPunct('.') && !this.tok.nl) {
        this.next();
        const id = this.next();
        if (id.kind !== 'ident') this.fail('expected identifier after .', id);
        ref.push({ type: 'scalar', value: id.text, loc: this.loc(id) });
      } else if (this.isPunct('[') && !this.tok.nl) {
        this.next();
        ref.push(this.parseTerm());
        this.expectPunct(']');
      } else break;
    }
    return ref;
  }

  private parseRule(): RuleAst[] {
    const loc = this.loc();
    if (this.isWord('default')) {
      this.next();
      const ref = this.parseHeadRef();
      let args: Term[] | undefined;
      if (this.isPunct('(')) args = this.parseArgs();
      if (!this.isPunct('=') && !this.isPunct(':=')) this.fail('default rule must have a value');
      const assign = this.next().text === ':=';
      const value = this.parseTerm();
      return [{ head: { ref, args, key: undefined, value, assign }, body: [], elses: [], isDefault: true, loc }];
    }
    const ref = this.parseHeadRef();
    const head: RuleHead = { ref, args: undefined, key: undefined, value: undefined, assign: false };
    if (this.isPunct('(') && !this.tok.nl) head.args = this.parseArgs();
    if (this.isWord('contains') && !this.tok.nl) {
      this.next();
      head.key = this.parseTerm();
    } else if (
      !this.v1 &&
      !head.args &&
      ref.length >= 2 &&
      !(this.isPunct('=') || this.isPunct(':=') || this.isWord('if')) &&
      this.tokens[this.pos - 1]!.text === ']'
    ) {
      head.key = ref.pop();
    }
    if ((this.isPunct('=') || this.isPunct(':=')) && !head.key) {
      head.assign = this.next().text === ':=';
      head.value = this.parseTerm();
    }
    const bodies = this.parseRuleBodies(head);
    const rules: RuleAst[] = [];
    const first = bodies[0]!;
    const elses: ElseClause[] = [];
    while (this.isWord('else')) {
      const eloc = this.loc();
      this.next();
      let value: Term | undefined;
      if (this.isPunct('=') || this.isPunct(':=')) {
        this.next();
        value = this.parseTerm();
      }
      let body: Expr[];
      if (this.isWord('if')) {
        this.next();
        body = this.isPunct('{') ? this.parseBraceBody() : [this.parseLiteral()];
      } else if (this.isPunct('{')) {
        if (this.v1) this.fail('`if` keyword is required before rule body');
        body = this.parseBraceBody();
      } else body = [];
      elses.push({ value, body, loc: eloc });
    }
    rules.push({ head, body: first, elses, isDefault: false, loc });
    for (const extra of bodies.slice(1)) rules.push({ head, body: extra, elses: [], isDefault: false, loc });
    return rules;
  }

  private parseRuleBodies(head: RuleHead): Expr[][] {
    if (this.isWord('if') && !this.tok.nl) {
      this.next();
      if (this.isPunct('{')) {
        const t = this.tok;
        const save = this.pos;
        // `if {}` is a body; `if {"a"} == x` is an expression starting with a set
        try {
          const body = this.parseBraceBody();
          if (!this.tok.nl && !this.atEnd() && !this.isWord('else')) throw new ParseError('not a body', this.loc(t));
          return [body];
        } catch (bodyError) {
          if (!(bodyError instanceof ParseError)) throw bodyError;
          this.pos = save;
          try {
            return [[this.parseLiteral()]];
          } catch {
            throw bodyError;
          }
        }
      }
      return [[this.parseLiteral()]];
    }
    if (this.isPunct('{') && !this.tok.nl) {
      if (this.v1) {
        if (head.key === undefined && head.value === undefined && head.ref.length > 1 && !head.args)
          this.fail('`contains` keyword is required for partial set rules');
        this.fail('`if` keyword is required before rule body');
      }
      const bodies = [this.parseBraceBody()];
      while (this.isPunct('{') && !this.tok.nl) bodies.push(this.parseBraceBody());
      return bodies;
    }
    if (this.v1 && head.value === undefined && head.key === undefined && !this.tok.nl && !this.atEnd())
      this.fail(`unexpected ${this.describe()} token`);
    return [[]];
  }

  private parseArgs(): Term[] {
    this.expectPunct('(');
    const args: Term[] = [];
    while (!this.isPunct(')')) {
      args.push(this.parseTerm());
      if (this.isPunct(',')) this.next();
      else if (!this.isPunct(')')) this.fail(`unexpected ${this.describe()} token: expected , or )`);
    }
    this.next();
    return args;
  }

  parseBraceBody(): Expr[] {
    this.expectPunct('{');
    const body = this.parseQueryUntil('}');
    this.expectPunct('}');
    if (body.length === 0) this.fail('found empty body', this.tokens[this.pos - 1]);
    return body;
  }

  /** Literals separated by `;` or newlines, up to (not including) the closing punctuation. */
  parseQueryUntil(close: string): Expr[] {
    const body: Expr[] = [];
    while (!this.isPunct(close)) {
      if (this.atEnd()) this.fail(`unexpected eof token: expected ${close}`);
      body.push(this.parseLiteral());
      if (this.isPunct(';')) this.next();
      else if (!this.isPunct(close) && !this.tok.nl) this.fail(`unexpected ${this.describe()} token`);
    }
    return body;
  }

  parseQuery(): Expr[] {
    const body: Expr[] = [];
    while (!this.atEnd()) {
      body.push(this.parseLiteral());
      if (this.isPunct(';')) this.next();
      else if (!this.atEnd() && !this.tok.nl) this.fail(`unexpected ${this.describe()} token`);
    }
    if (body.length === 0) this.fail('empty query');
    return body;
  }

  parseLiteral(): Expr {
    const loc = this.loc();
    if (this.isWord('some')) {
      this.next();
      const vars: Term[] = [this.parseTermRelation()];
      while (this.isPunct(',')) {
        this.next();
        vars.push(this.parseTermRelation());
      }
      if (this.isWord('in')) {
        this.next();
        if (vars.length > 2) this.fail('unexpected , in some declaration');
        const coll = this.parseTermRelation();
        const node: ExprNode =
          vars.length === 2
            ? { kind: 'somein', key: vars[0], value: vars[1]!, coll }
            : { kind: 'somein', key: undefined, value: vars[0]!, coll };
        return this.finishExpr(node, false, loc);
      }
      for (const v of vars) if (v.type !== 'var') this.fail('expected var in some declaration');
      return { node: { kind: 'some', vars }, negated: false, withs: [], loc };
    }
    if (this.isWord('every')) {
      this.next();
      const first = this.parseTermRelation();
      let key: Term | undefined;
      let value = first;
      if (this.isPunct(',')) {
        this.next();
        key = first;
        value = this.parseTermRelation();
      }
      if (!this.isWord('in')) this.fail('expected `in` in every');
      this.next();
      const domain = this.parseTermRelation();
      const body = this.parseBraceBody();
      return this.finishExpr({ kind: 'every', key, value, domain, body }, false, loc);
    }
    let negated = false;
    if (this.isWord('not')) {
      this.next();
      negated = true;
    }
    const lhs = this.parseKeyValueMembership(this.parseTerm());
    let node: ExprNode = { kind: 'term', term: lhs };
    if ((this.isPunct(':=') || this.isPunct('=')) && !this.tok.nl) {
      const op = this.next().text;
      const rhs = this.parseKeyValueMembership(this.parseTerm());
      node = op === ':=' ? { kind: 'assign', lhs, rhs } : { kind: 'unify', lhs, rhs };
    }
    return this.finishExpr(node, negated, loc);
  }

  /** `k, v in coll` (and further `in` tests on its result) after a first term, at expression level. */
  private parseKeyValueMembership(first: Term): Term {
    if (!this.isPunct(',') || this.tok.nl) return first;
    this.next();
    const value = this.parseTermRelation();
    if (!this.isWord('in')) this.fail('unexpected , token');
    this.next();
    const coll = this.parseTermRelation();
    let term: Term = {
      type: 'call',
      fn: builtinRef('internal.member_3', first.loc),
      args: [first, value, coll],
      loc: first.loc,
    };
    while (this.isWord('in') && !this.tok.nl) {
      this.next();
      const rhs = this.parseTermRelation();
      term = { type: 'call', fn: builtinRef('internal.member_2', term.loc), args: [term, rhs], loc: term.loc };
    }
    return term;
  }

  private finishExpr(node: ExprNode, negated: boolean, loc: Location): Expr {
    const withs: With[] = [];
    while (this.isWord('with')) {
      const wloc = this.loc();
      this.next();
      const target = this.parseRefTerm();
      if (!this.isWord('as')) this.fail('expected `as` in with modifier');
      this.next();
      const value = this.parseTerm();
      withs.push({ target, value, loc: wloc });
    }
    return { node, negated, withs, loc };
  }

  parseTerm(): Term {
    let lhs = this.parseTermRelation();
    while (this.isWord('in') && !this.tok.nl) {
      this.next();
      const rhs = this.parseTermRelation();
      lhs = { type: 'call', fn: builtinRef('internal.member_2', lhs.loc), args: [lhs, rhs], loc: lhs.loc };
    }
    return lhs;
  }

  private binary(next: () => Term, ops: Record<string, string>): Term {
    let lhs = next();
    while (this.tok.kind === 'punct' && ops[this.tok.text] && !this.tok.nl) {
      const op = ops[this.next().text]!;
      const rhs = next();
      lhs = { type: 'call', fn: builtinRef(op, lhs.loc), args: [lhs, rhs], loc: lhs.loc };
    }
    return lhs;
  }

  parseTermRelation(): Term {
    return this.binary(() => this.parseTermOr(), RELATIONS);
  }
  private parseTermOr(): Term {
    return this.binary(() => this.parseTermAnd(), this.noBar ? {} : { '|': 'or' });
  }
  private parseTermAnd(): Term {
    return this.binary(() => this.parseTermArith(), { '&': 'and' });
  }
  private parseTermArith(): Term {
    return this.binary(() => this.parseTermFactor(), ARITH);
  }
  private parseTermFactor(): Term {
    return this.binary(() => this.parseUnary(), FACTOR);
  }

  private parseUnary(): Term {
    if (this.isPunct('-')) {
      const t = this.next();
      const loc = this.loc(t);
      if (this.tok.kind === 'number' && this.tok.offset === t.offset + 1) {
        const n = this.next();
        return this.parsePostfix({ type: 'scalar', value: parseNumberLiteral(`-${n.text}`), loc });
      }
      const operand = this.parseRefTerm();
      return { type: 'call', fn: builtinRef('minus', loc), args: [{ type: 'scalar', value: 0, loc }, operand], loc };
    }
    return this.parseRefTerm();
  }

  parseRefTerm(): Term {
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(start: Term): Term {
    let term = start;
    for (;;) {
      const t = this.tok;
      if (t.nl) break;
      if (this.isPunct('.') && this.peek().kind === 'ident') {
        this.next();
        const id = this.next();
        term = appendRef(term, { type: 'scalar', value: id.text, loc: this.loc(id) });
      } else if (this.isPunct('[')) {
        this.next();
        const saved = this.noBar;
        this.noBar = false;
        const key = this.parseTerm();
        this.noBar = saved;
        this.expectPunct(']');
        term = appendRef(term, key);
      } else if (this.isPunct('(') && (term.type === 'var' || term.type === 'ref')) {
        const args = this.parseArgs();
        term = { type: 'call', fn: term, args, loc: term.loc };
      } else break;
    }
    return term;
  }

  private parsePrimary(): Term {
    const t = this.tok;
    const loc = this.loc(t);
    switch (t.kind) {
      case 'number':
        this.next();
        if (!/^(?:0|[1-9][0-9]*)?(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/.test(t.text) || t.text.startsWith('.'))
          this.fail(`invalid number literal ${t.text}`, t);
        return { type: 'scalar', value: parseNumberLiteral(t.text), loc };
      case 'string':
      case 'rawstring':
        this.next();
        return { type: 'scalar', value: t.value, loc };
      case 'template':
        this.next();
        return this.parseTemplate(t);
      case 'ident':
        this.next();
        if (!t.refStart && (t.text === 'true' || t.text === 'false'))
          return { type: 'scalar', value: t.text === 'true', loc };
        if (!t.refStart && t.text === 'null') return { type: 'scalar', value: null, loc };
        if (t.text === 'set' && this.isPunct('(') && this.isPunct(')', this.peek())) {
          this.next();
          this.next();
          return { type: 'set', items: [], loc };
        }
        if (
          (RESERVED.has(t.text) ||
            (t.text !== 'contains' && FUTURE_KEYWORDS.includes(t.text) && this.isWord(t.text, t))) &&
          !t.refStart
        )
          this.fail(`unexpected ${t.text} keyword`, t);
        return { type: 'var', name: t.text, loc };
      case 'punct':
        if (t.text === '(') {
          this.next();
          const saved = this.noBar;
          this.noBar = false;
          const inner = this.parseKeyValueMembership(this.parseTerm());
          this.noBar = saved;
          this.expectPunct(')');
          return inner;
        }
        if (t.text === '[') return this.parseArray();
        if (t.text === '{') return this.parseBraced();
        return this.fail(`unexpected ${t.text} token`);
      default:
        return this.fail(`unexpected ${this.describe()} token`);
    }
  }

  /** First term inside brackets: a plain term, or a comprehension head that stops at `|`. */
  private parseHead(): Term {
    const saved = this.noBar;
    this.noBar = true;
    try {
      return this.parseTerm();
    } finally {
      this.noBar = saved;
    }
  }

  private parseArray(): Term {
    const loc = this.loc();
    this.next();
    const items: Term[] = [];
    if (this.isPunct(']')) {
      this.next();
      return { type: 'array', items, loc };
    }
    const first = this.parseHead();
    if (this.isPunct('|')) {
      this.next();
      const body = this.parseQueryUntil(']');
      this.expectPunct(']');
      return { type: 'arraycompr', head: first, body, loc };
    }
    items.push(first);
    while (this.isPunct(',')) {
      this.next();
      if (this.isPunct(']')) break;
      items.push(this.parseTerm());
    }
    this.expectPunct(']');
    return { type: 'array', items, loc };
  }

  private parseBraced(): Term {
    const loc = this.loc();
    this.next();
    if (this.isPunct('}')) {
      this.next();
      return { type: 'object', entries: [], loc };
    }
    const first = this.parseHead();
    if (this.isPunct(':')) {
      this.next();
      const value = this.parseHead();
      if (this.isPunct('|')) {
        this.next();
        const body = this.parseQueryUntil('}');
        this.expectPunct('}');
        return { type: 'objectcompr', key: first, value, body, loc };
      }
      const entries: [Term, Term][] = [[first, value]];
      while (this.isPunct(',')) {
        this.next();
        if (this.isPunct('}')) break;
        const k = this.parseTerm();
        this.expectPunct(':');
        entries.push([k, this.parseTerm()]);
      }
      this.expectPunct('}');
      return { type: 'object', entries, loc };
    }
    if (this.isPunct('|')) {
      this.next();
      const body = this.parseQueryUntil('}');
      this.expectPunct('}');
      return { type: 'setcompr', head: first, body, loc };
    }
    const items = [first];
    while (this.isPunct(',')) {
      this.next();
      if (this.isPunct('}')) break;
      items.push(this.parseTerm());
    }
    this.expectPunct('}');
    return { type: 'set', items, loc };
  }

  private parseTemplate(t: Token): Term {
    const loc = this.loc(t);
    const src = t.value;
    const raw = t.text.startsWith('$`');
    const parts: (string | TemplatePart)[] = [];
    let text = '';
    let i = 0;
    while (i < src.length) {
      const c = src[i]!;
      if (c === '\\' && (src[i + 1] === '{' || src[i + 1] === '}')) {
        text += src[i + 1];
        i += 2;
        continue;
      }
      if (c === '\\' && !raw) {
        const m = /^\\(u[0-9a-fA-F]{4}|.)/.exec(src.slice(i))!;
        text += JSON.parse(`"${m[0]}"`) as string;
        i += m[0].length;
        continue;
      }
      if (c === '{') {
        const close = scanEmbedded(src, i + 1);
        if (text) parts.push(text);
        text = '';
        const { tokens } = lex(src.slice(i + 1, close));
        const sub = new Parser(tokens, this.file, this.v1);
        const expr = sub.parseLiteral();
        const node = expr.node;
        if (!sub.atEnd() || node.kind !== 'term' || expr.negated)
          return sub.fail('unexpected token in template expression');
        parts.push({ term: node.term, withs: expr.withs });
        i = close + 1;
        continue;
      }
      text += c;
      i++;
    }
    if (text) parts.push(text);
    return { type: 'template', parts, loc };
  }
}

function builtinRef(name: string, loc: Location): Term {
  return { type: 'var', name, loc };
}

function appendRef(term: Term, key: Term): Term {
  if (term.type === 'ref') return { type: 'ref', head: term.head, path: [...term.path, key], loc: term.loc };
  return { type: 'ref', head: term, path: [key], loc: term.loc };
}

/** The string path of a ref like `data.a.b` or `a["b"]`, or undefined if it holds non-strings. */
export function refToPath(t: Term): string[] | undefined {
  if (t.type === 'var') return [t.name];
  if (t.type !== 'ref' || t.head.type !== 'var') return undefined;
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.type !== 'scalar' || typeof p.value !== 'string') return undefined;
    out.push(p.value);
  }
  return out;
}

function wrapLexError(e: unknown, file: string): never {
  if (e instanceof LexError) throw new ParseError(e.message, { file, line: e.line, col: e.col });
  throw e;
}

export function parseModule(
  file: string,
  source: string,
  regoVersion: 'v0' | 'v1',
): { module: ModuleAst; comments: Comment[] } {
  let lexed: ReturnType<typeof lex>;
  try {
    lexed = lex(source);
  } catch (e) {
    wrapLexError(e, file);
  }
  const parser = new Parser(lexed.tokens, file, regoVersion === 'v1');
  const m = parser.parseModule();
  return { module: { ...m, regoVersion: parser.v1 ? 'v1' : 'v0' }, comments: lexed.comments };
}

export function parseQuery(source: string, regoVersion: 'v0' | 'v1'): Expr[] {
  let lexed: ReturnType<typeof lex>;
  try {
    lexed = lex(source);
  } catch (e) {
    wrapLexError(e, 'query');
  }
  return new Parser(lexed.tokens, 'query', regoVersion === 'v1').parseQuery();
}
