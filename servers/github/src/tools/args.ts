import * as z from 'zod';

/** Argument schemas shared by the GitHub tools, so every tool describes them the same way. */
export const owner = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { error: 'must be a GitHub user or organization login, e.g. acme' })
  .describe('Repository owner: user or organization login.');
export const repo = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,100}$/, { error: 'must be a repository name without the owner, e.g. payments-api' })
  .describe('Repository name, without the owner.');
export const ref = z.string().min(1).optional().describe('Branch, tag or commit SHA; the default branch when omitted.');
export const branch = z.string().min(1).describe('Branch name.');
export const number = z.number().int().min(1);
export const path = z
  .string()
  .refine((value) => !value.split('/').includes('..'), { error: 'must not contain ".." segments' })
  .describe('Path in the repository, without a leading slash.');
