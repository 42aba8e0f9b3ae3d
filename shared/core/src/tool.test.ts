import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { DESTRUCTIVE, defineTool, READ, WRITE } from './tool.ts';

const base = {
  title: 'T',
  description: 'd',
  toolset: 's',
  input: z.object({}),
  output: z.object({}),
  handler: async () => ({}),
};

describe('defineTool', () => {
  it('accepts consistent tiers and annotations', () => {
    expect(defineTool({ ...base, name: 'list_x', tier: 'read', annotations: READ }).name).toBe('list_x');
    expect(defineTool({ ...base, name: 'read_secret', tier: 'admin', annotations: READ }).tier).toBe('admin');
    expect(defineTool({ ...base, name: 'call_x', tier: 'read', annotations: DESTRUCTIVE }).tier).toBe('read');
  });

  it('refuses a write tool that claims to be read-only, and names that are not snake_case', () => {
    expect(() => defineTool({ ...base, name: 'make_x', tier: 'write', annotations: READ })).toThrow(
      'tool make_x: a write-tier tool cannot be annotated readOnlyHint',
    );
    expect(() => defineTool({ ...base, name: 'Make-X', tier: 'write', annotations: WRITE })).toThrow(/snake_case/);
  });
});
