import { describe, expect, it } from 'vitest';
import { ToolError } from './errors.ts';
import { decodeCursor, encodeCursor, offsetPage, tailLines, truncateText } from './output.ts';

describe('cursors', () => {
  it('round-trip the position and belong to one tool', () => {
    const cursor = encodeCursor('list_things', { page: 3, per_page: 20 });
    expect(decodeCursor('list_things', cursor)).toMatchObject({ page: 3, per_page: 20 });
    expect(decodeCursor('list_things', undefined)).toBeUndefined();
    expect(() => decodeCursor('other_tool', cursor)).toThrow(ToolError);
    expect(() => decodeCursor('list_things', 'garbage!')).toThrow(/cursor: not a cursor returned by list_things/);
  });
});

describe('offset pages', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];

  it('walks a whole list page by page and ends without a cursor', () => {
    const first = offsetPage('list_keys', items, { limit: 2 });
    expect(first).toMatchObject({ items: ['a', 'b'], total: 5 });
    const second = offsetPage('list_keys', items, { limit: 2, cursor: first.nextCursor });
    const third = offsetPage('list_keys', items, { limit: 2, cursor: second.nextCursor });
    expect([second.items, third.items, third.nextCursor]).toEqual([['c', 'd'], ['e'], undefined]);
  });

  it('refuses a cursor of the same tool called with other arguments', () => {
    const { nextCursor } = offsetPage('list_keys', items, { limit: 2 }, { path: 'team-a/' });
    expect(() => offsetPage('list_keys', items, { limit: 2, cursor: nextCursor }, { path: 'team-b/' })).toThrow(
      /cursor: belongs to the same tool called with other arguments/,
    );
  });
});

describe('truncation', () => {
  it('keeps short text as it is', () => {
    expect(truncateText('short', { limit: 10, hint: 'narrow it' })).toEqual({
      text: 'short',
      truncated: false,
      omitted: 0,
    });
  });

  it('cuts long text with a marker that says how much and how to narrow', () => {
    const head = truncateText('a'.repeat(50), { limit: 10, hint: 'use start_line' });
    expect(head.text).toBe(`${'a'.repeat(10)}\n[truncated: 40 characters omitted; use start_line]`);
    const tail = truncateText(`${'a'.repeat(40)}${'b'.repeat(10)}`, { limit: 10, keep: 'tail', hint: 'fewer lines' });
    expect(tail.text).toBe(`[truncated: 40 characters omitted; fewer lines]\n${'b'.repeat(10)}`);
    expect(tail.omitted).toBe(40);
  });

  it('takes the last lines of a log', () => {
    expect(tailLines('1\n2\n3\n4\n', 2)).toBe('3\n4');
  });
});
