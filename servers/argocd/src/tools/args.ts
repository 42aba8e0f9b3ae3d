import * as z from 'zod';

/** Argument schemas shared by the Argo CD tools, so every tool describes them the same way. */

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const appName = z
  .string()
  .regex(DNS_SUBDOMAIN, {
    error: 'must be a lowercase DNS name of letters, digits, "-" and ".", e.g. payments-api-prod',
  })
  .describe('Application name, e.g. payments-api-prod.');

export const projectName = z
  .string()
  .regex(DNS_SUBDOMAIN, { error: 'must be a lowercase Argo CD project name, e.g. payments' })
  .describe('Argo CD project (AppProject) name.');

export const namespace = z
  .string()
  .regex(DNS_LABEL, { error: 'must be a Kubernetes namespace name: lowercase letters, digits and "-", at most 63' });

export const revision = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s]+$/, { error: 'must be a branch, tag or commit SHA without spaces, e.g. main or v1.4.2' });

export const repoUrl = z
  .string()
  .regex(/^(https?:\/\/|ssh:\/\/|git@|oci:\/\/)\S+$/, {
    error: 'must be a Git or Helm repository URL, e.g. https://github.com/acme/gitops.git',
  })
  .describe('Git or Helm repository URL.');

export const resourceSelector = z.object({
  group: z.string().default('').describe('API group; "" for core kinds (Service, ConfigMap), "apps" for Deployment.'),
  kind: z.string().min(1).describe('Kind, e.g. Deployment.'),
  name: z.string().min(1).describe('Resource name.'),
  namespace: z.string().optional().describe('Resource namespace; any when omitted.'),
});

export const repoPath = z
  .string()
  .min(1)
  .refine((p) => !p.split('/').includes('..') && !p.startsWith('/'), { error: 'must be a relative path without ".."' });
