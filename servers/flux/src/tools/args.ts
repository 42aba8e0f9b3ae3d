import * as z from 'zod';
import { FLUX_KINDS, type FluxKind, SOURCE_KINDS } from '../flux.ts';

export const context = z
  .string()
  .min(1)
  .optional()
  .describe('kubeconfig context (cluster); the server default when omitted.');
export const namespaceName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: 'must be a namespace name, e.g. flux-system' });
export const optionalNamespace = namespaceName.optional().describe('Namespace; all namespaces when omitted.');
export const namespace = namespaceName
  .default('flux-system')
  .describe('Namespace of the object (default flux-system).');
export const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, {
    error: 'must be an object name: lowercase letters, digits, - and .',
  })
  .describe('Object name.');
export const fluxKind = z
  .enum(Object.keys(FLUX_KINDS) as [FluxKind, ...FluxKind[]], {
    error: `must be one of ${Object.keys(FLUX_KINDS).join(', ')}`,
  })
  .describe('Flux kind.');
export const sourceKind = z.enum(SOURCE_KINDS, { error: `must be one of ${SOURCE_KINDS.join(', ')}` });
