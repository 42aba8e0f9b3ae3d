/** Tokens of Rego source: identifiers, numbers, strings, raw strings, template strings, punctuation; comments kept apart. */
export type TokenKind = 'ident' | 'number' | 'string' | 'rawstring' | 'template' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Decoded string value (string, raw string) or template source. */
  value: string;
  line: number;
  col: number;
  /** A newline separates this token from the previous one. */
  nl: boolean;
  /** An identifier directly followed by `.` or `[`: a reference, never a keyword (`not.foo`, `input.in`). */
  refStart: boolean;
  offset: number;
}

export interface Comment {
  text: string;
  line: number;
  col: number;
}

export class LexError extends Error {
  readonly line: number;
  readonly col: number;
  constructor(message: string, line: number, col: number) {
    super(message);
    this.line = line;
    this.col = col;
  }
}

const PUNCT2 = [':=', '==', '!=', '<=', '>='];
const PUNCT1 = '{}[]().,;:=<>+-*/%&|';

/** Splits Rego source into tokens and comments. */
export function lex(src: string): { tokens: Token[]; comments: Comment[] } {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let nl = true;
  const n = src.length;
  const push = (kind: TokenKind, text: string, value: string, start: number, sLine: number, sCol: number) => {
    const after = src[start + text.length];
    const refStart = kind === 'ident' && (after === '.' || after === '[');
    tokens.push({ kind, text, value, line: sLine, col: sCol, nl, offset: start, refStart });
    nl = false;
  };
  while (i < n) {
    const c = src[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      nl = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    const col = i - lineStart + 1;
    if (c === '#') {
      let j = i;
      while (j < n && src[j] !== '\n') j++;
      comments.push({ text: src.slice(i + 1, j), line, col });
      i = j;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      const word = src.slice(i, j);
      push('ident', word, word, i, line, col);
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:0|[1-9][0-9]*|(?=\.))(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i, i + 500));
      let text = m?.[0] ?? '';
      if (text === '') {
        const m2 = /^[0-9]+/.exec(src.slice(i))!;
        text = m2[0];
      }
      push('number', text, text, i, line, col);
      i += text.length;
      continue;
    }
    if (c === '"' || c === '`' || (c === '$' && (src[i + 1] === '"' || src[i + 1] === '`'))) {
      const template = c === '$';
      const quote = template ? src[i + 1]! : c;
      const start = template ? i + 2 : i + 1;
      const end = scanQuoted(src, start, quote, template);
      if (end < 0 || (quote === '"' && src.slice(i, end).includes('\n')))
        throw new LexError(quote === '"' ? 'non-terminated string' : 'non-terminated raw string', line, col);
      const text = src.slice(i, end + 1);
      if (template) push('template', text, src.slice(start, end), i, line, col);
      else if (quote === '`') push('rawstring', text, src.slice(start, end), i, line, col);
      else {
        let value: string;
        try {
          value = JSON.parse(text) as string;
        } catch {
          throw new LexError(`invalid string literal: ${text}`, line, col);
        }
        push('string', text, value, i, line, col);
      }
      for (let k = i; k < end; k++)
        if (src[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      i = end + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      push('punct', two, two, i, line, col);
      i += 2;
      continue;
    }
    if (PUNCT1.includes(c)) {
      push('punct', c, c, i, line, col);
      i++;
      continue;
    }
    throw new LexError(`illegal token: ${c}`, line, col);
  }
  tokens.push({ kind: 'eof', text: '', value: '', line, col: i - lineStart + 1, nl: true, offset: i, refStart: false });
  return { tokens, comments };
}

/**
 * Index of the quote closing a string, raw string or template whose text starts at `start`, or -1.
 * Templates skip their `{...}` expressions, which may hold strings and templates of their own.
 */
function scanQuoted(src: string, start: number, quote: string, template: boolean): number {
  let j = start;
  while (j < src.length) {
    const c = src[j]!;
    if (c === quote) return j;
    if (c === '\\' && (quote === '"' || (template && src[j + 1] === '{'))) j += 2;
    else if (template && c === '{') {
      const close = scanEmbedded(src, j + 1);
      if (close < 0) return -1;
      j = close + 1;
    } else j++;
  }
  return -1;
}

/** Index of the `}` closing a template expression that starts at `start`, or -1. */
export function scanEmbedded(src: string, start: number): number {
  let depth = 0;
  let j = start;
  while (j < src.length) {
    const c = src[j]!;
    if (c === '}' && depth === 0) return j;
    if (c === '{') depth++;
    else if (c === '}') depth--;
    if (c === '"' || c === '`' || (c === '$' && (src[j + 1] === '"' || src[j + 1] === '`'))) {
      const template = c === '$';
      const quote = template ? src[j + 1]! : c;
      const end = scanQuoted(src, template ? j + 2 : j + 1, quote, template);
      if (end < 0) return -1;
      j = end + 1;
      continue;
    }
    j++;
  }
  return -1;
}
