import type { Location } from './errors.ts';

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
    if (c === '"' || (c === '$' && src[i + 1] === '"')) {
      const template = c === '$';
      let j = template ? i + 2 : i + 1;
      while (j < n && src[j] !== '"') {
        if (src[j] === '\n') throw new LexError('non-terminated string', line, col);
        if (src[j] === '\\') j++;
        else if (template && src[j] === '{') {
          // skip the embedded expression, which may hold quotes
          let depth = 1;
          j++;
          while (j < n && depth > 0) {
            if (src[j] === '{') depth++;
            else if (src[j] === '}') depth--;
            else if (src[j] === '"') {
              j++;
              while (j < n && src[j] !== '"') {
                if (src[j] === '\\') j++;
                j++;
              }
            }
            if (depth > 0) j++;
          }
        }
        j++;
      }
      if (j >= n) throw new LexError('non-terminated string', line, col);
      const text = src.slice(i, j + 1);
      if (template) push('template', text, src.slice(i + 2, j), i, line, col);
      else {
        let value: string;
        try {
          value = JSON.parse(text) as string;
        } catch {
          throw new LexError(`invalid string literal: ${text}`, line, col);
        }
        push('string', text, value, i, line, col);
      }
      i = j + 1;
      continue;
    }
    if (c === '`' || (c === '$' && src[i + 1] === '`')) {
      const template = c === '$';
      const start = template ? i + 2 : i + 1;
      let j = start;
      while (j < n && src[j] !== '`') j++;
      if (j >= n) throw new LexError('non-terminated raw string', line, col);
      const value = src.slice(start, j);
      const text = src.slice(i, j + 1);
      push(template ? 'template' : 'rawstring', text, value, i, line, col);
      for (let k = i; k < j; k++)
        if (src[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      i = j + 1;
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

export function locationOf(file: string, t: { line: number; col: number }): Location {
  return { file, line: t.line, col: t.col };
}
