import * as z from 'zod';

/** Argument schemas shared by the Kubernetes tools, so every tool describes them the same way. */
export const context = z
  .string()
  .min(1)
  .optional()
  .describe('kubeconfig context (cluster) to use; the server default when omitted. list_contexts shows them.');

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export const namespace = z
  .string()
  .regex(DNS_LABEL, { error: 'must be a namespace name: lowercase letters, digits and -, e.g. payments' })
  .describe('Namespace.');

export const optionalNamespace = namespace
  .optional()
  .describe('Namespace; for namespaced kinds, all namespaces when omitted.');

export const kind = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]*(\.[a-z0-9.-]+)?$/, {
    error: 'must be a kind or resource name, e.g. Deployment, pods, deploy or helmreleases.helm.toolkit.fluxcd.io',
  })
  .describe('Kind (Deployment), resource (deployments), short name (deploy) or resource.group.');

export const apiVersion = z
  .string()
  .regex(/^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/, { error: 'must be an apiVersion, e.g. apps/v1 or v1' })
  .optional()
  .describe('apiVersion to disambiguate the kind; the preferred version when omitted.');

export const name = z
  .string()
  .regex(DNS_SUBDOMAIN, { error: 'must be an object name: lowercase letters, digits, - and .' })
  .describe('Object name.');

export const labelSelector = z
  .string()
  .min(1)
  .optional()
  .describe('Label selector, e.g. "app=payments-api,tier!=cache" or "env in (prod,staging)".');

export const fieldSelector = z
  .string()
  .min(1)
  .optional()
  .describe('Field selector, e.g. "status.phase=Running" or "spec.nodeName=ip-10-0-1-23".');

export const defaultNamespace = namespace.optional().describe('Namespace; the context default when omitted.');

/** Names one object of any kind: the arguments get, describe and delete share. */
export const objectArgs = { context, kind, api_version: apiVersion, name, namespace: defaultNamespace };
