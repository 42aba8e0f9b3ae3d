import {
  type Caller,
  DESTRUCTIVE,
  defineTool,
  type PolicyContext,
  type PolicyGate,
  ToolError,
  tierAllows,
  verdictOf,
  verdictOutput,
  WRITE,
} from '@idp-mcp/core';
import {
  type Kube,
  manifestsForAudit,
  mapKubeError,
  type Obj,
  parseManifests,
  plain,
  type ResolvedKind,
  ref,
  sameContent,
} from '@idp-mcp/kube';
import { enforceDocuments } from '@idp-mcp/policy/enforce';
import { PatchStrategy } from '@kubernetes/client-node';
import * as z from 'zod';
import { context, namespace, objectArgs } from './args.ts';

export const FIELD_MANAGER = 'idp-mcp';

export interface ApplySettings {
  /** Kinds this server refuses to write (K8S_DENY_KINDS), lower-case kind names. */
  denyKinds: string[];
  gate: PolicyGate;
}

export const stepSchema = z.object({
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
  action: z.enum(['create', 'configure', 'unchanged']).describe('What the apply does (or did) to the object.'),
  status: z.enum(['planned', 'applied', 'rolled_back', 'not_applied']),
});

export type Step = z.input<typeof stepSchema>;

export interface Prepared {
  object: Obj;
  resolved: ResolvedKind;
  existing: Obj | undefined;
}

/**
 * The policy gate's verdict on the objects exactly as they are sent, each in its own domain (a KafkaTopic by the
 * kafka policies, an Argo CD Application by the gitops ones); a deny throws policy_denied, warnings are returned.
 */
export async function checkPolicy(
  settings: ApplySettings,
  objects: Obj[],
  context: PolicyContext,
): Promise<z.input<typeof verdictOutput>> {
  return verdictOf(
    await enforceDocuments(
      settings.gate,
      objects.map((document) => ({ document })),
      context,
    ),
  );
}

/** Refuses kinds the operator denied (K8S_DENY_KINDS), before any call. */
export function checkDenied(settings: ApplySettings, kindName: string, action: string): void {
  if (settings.denyKinds.includes(kindName.toLowerCase())) {
    throw new ToolError('forbidden', `${action} ${kindName} is disabled on this server (K8S_DENY_KINDS)`, {
      hint: `manage ${kindName} objects another way (for secrets: Vault or External Secrets), or ask the operator to change K8S_DENY_KINDS`,
    });
  }
}

const BROAD_SUBJECTS = new Set([
  'system:authenticated',
  'system:unauthenticated',
  'system:anonymous',
  'system:serviceaccounts',
]);
/** Verbs that grant more than they name: creating bindings to any role, editing roles beyond one's own, acting as others. */
const ESCALATING_VERBS = new Set(['*', 'escalate', 'bind', 'impersonate']);

interface Rbac {
  rules?: Array<{ verbs?: string[]; resources?: string[] }>;
  roleRef?: { name?: string };
  subjects?: Array<{ name?: string }>;
}

/**
 * Why an object needs the admin tier, or undefined: what reaches beyond a namespace or rewrites the cluster's rules
 * (cluster-wide or wildcard RBAC, bindings to cluster-admin or to everyone, admission configuration, CRDs,
 * Namespaces). Decided on the apiVersion and kind as written, which are what the API server acts on.
 */
export function adminOnly(object: Obj): string | undefined {
  const group = object.apiVersion?.includes('/') ? object.apiVersion.split('/')[0] : '';
  const kind = object.kind?.toLowerCase();
  const rbac = object as Rbac;
  if (group === '' && kind === 'namespace') return 'Namespaces';
  if (group === 'apiextensions.k8s.io') return 'CustomResourceDefinitions';
  if (group === 'admissionregistration.k8s.io') return 'admission webhooks and policies';
  if (group !== 'rbac.authorization.k8s.io') return undefined;
  if (kind === 'clusterrole' || kind === 'clusterrolebinding') return 'cluster-wide RBAC';
  if (
    kind === 'role' &&
    (rbac.rules ?? []).some(
      (rule) => rule.verbs?.some((verb) => ESCALATING_VERBS.has(verb)) || rule.resources?.includes('*'),
    )
  ) {
    return 'Roles with wildcard or escalating (escalate, bind, impersonate) rights';
  }
  if (kind === 'rolebinding') {
    if (rbac.roleRef?.name === 'cluster-admin') return 'bindings to cluster-admin';
    if ((rbac.subjects ?? []).some((subject) => BROAD_SUBJECTS.has(subject.name ?? ''))) {
      return `bindings to ${[...BROAD_SUBJECTS].join(', ')}`;
    }
  }
  return undefined;
}

/** Refuses, before any call, objects only the admin tier may write (adminOnly) when the caller has a lower tier. */
export function checkTier(caller: Caller, objects: Obj[]): void {
  if (tierAllows(caller.tier, 'admin')) return;
  for (const object of objects) {
    const why = adminOnly(object);
    if (!why) continue;
    throw new ToolError(
      'forbidden',
      `manifests: ${ref(object)}: ${why} need the admin tier (platform-admin role); your roles grant ${caller.tier}`,
      {
        hint: 'ask a platform admin to apply it (a team namespace with its RoleBindings: onboard_team), or drop it from the manifests',
        retryable: false,
      },
    );
  }
}

/** Resolves kinds, fills namespaces and reads what exists: everything apply needs to know before changing anything. */
export async function prepare(
  kube: Kube,
  signal: AbortSignal,
  ctx: string | undefined,
  objects: Obj[],
  defaultNamespace: string | undefined,
  settings: ApplySettings,
): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  const fallback = defaultNamespace ?? kube.context(ctx).defaultNamespace;
  for (const raw of objects) {
    checkDenied(settings, raw.kind!, 'applying');
    const resolved = await kube.resolve(signal, ctx, raw.kind!, raw.apiVersion);
    // resolve also takes deployment, deploy or deployments (for lookups); the API server takes only the kind itself.
    if (resolved.kind !== raw.kind) {
      throw new ToolError('invalid_request', `manifests: kind ${JSON.stringify(raw.kind)} is not a kind name`, {
        hint: `kinds are case-sensitive in a manifest: write ${resolved.kind}`,
        retryable: false,
      });
    }
    const object = plain<Obj>(raw);
    object.metadata ??= {};
    if (resolved.namespaced) {
      if (defaultNamespace && object.metadata.namespace && object.metadata.namespace !== defaultNamespace) {
        throw new ToolError(
          'invalid_request',
          `manifests: ${ref(object)} is in namespace ${object.metadata.namespace} but namespace is ${defaultNamespace}`,
          { hint: 'drop metadata.namespace from the manifest or the namespace argument, or make them agree' },
        );
      }
      object.metadata.namespace ??= fallback;
    } else {
      delete object.metadata.namespace;
    }
    let existing: Obj | undefined;
    try {
      existing = plain(
        await kube.call(signal, ctx, (c) =>
          c.objects.read({
            apiVersion: resolved.apiVersion,
            kind: resolved.kind,
            metadata: {
              name: object.metadata!.name!,
              ...(object.metadata!.namespace ? { namespace: object.metadata!.namespace } : {}),
            },
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ToolError && error.code === 'not_found')) throw error;
    }
    prepared.push({ object, resolved, existing });
  }
  // Namespaces first, so the objects in them can be created in the same apply.
  return [
    ...prepared.filter((item) => item.object.kind === 'Namespace'),
    ...prepared.filter((item) => item.object.kind !== 'Namespace'),
  ];
}

/** Server-side apply of one object (dryRun=All when asked). */
export function serverSideApply(
  kube: Kube,
  signal: AbortSignal,
  ctx: string | undefined,
  object: Obj,
  options: { dryRun: boolean; force: boolean },
): Promise<Obj> {
  // The manifest goes out as written (client-node's serializer drops fields its models lack, which would hide typos)
  // with fieldValidation=Strict, so the API server refuses unknown fields instead of silently dropping them.
  return kube
    .call(
      signal,
      ctx,
      (c) =>
        c.objects.patch(
          object as never,
          undefined,
          options.dryRun ? 'All' : undefined,
          FIELD_MANAGER,
          options.force,
          PatchStrategy.ServerSideApply,
        ),
      { body: JSON.stringify(object), query: { fieldValidation: 'Strict' } },
    )
    .then((result) => plain<Obj>(result));
}

/** The dry run every apply starts with: the API server validates and defaults each object; nothing changes. */
export async function dryRun(
  kube: Kube,
  signal: AbortSignal,
  ctx: string | undefined,
  prepared: Prepared[],
  force: boolean,
): Promise<Step[]> {
  // Objects in a namespace this same apply creates cannot be dry-run (the API server answers 404 for the
  // namespace); they are planned as creates and validated when applied, right after their namespace.
  const newNamespaces = new Set(
    prepared
      .filter((item) => item.object.kind === 'Namespace' && !item.existing)
      .map((item) => item.object.metadata?.name),
  );
  const steps: Step[] = [];
  for (const item of prepared) {
    if (item.resolved.namespaced && newNamespaces.has(item.object.metadata?.namespace)) {
      steps.push(stepOf(item.object, 'create', 'planned'));
      continue;
    }
    const result = await serverSideApply(kube, signal, ctx, item.object, { dryRun: true, force });
    const action = !item.existing ? 'create' : sameContent(item.existing, result) ? 'unchanged' : 'configure';
    steps.push(stepOf(item.object, action, 'planned'));
  }
  return steps;
}

export function stepOf(object: Obj, action: Step['action'], status: Step['status']): Step {
  return {
    kind: object.kind ?? '',
    name: object.metadata?.name ?? '',
    ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
    action,
    status,
  };
}

export function applyTools(kube: Kube, settings: ApplySettings) {
  return [
    defineTool({
      name: 'apply_manifests',
      title: 'Apply manifests',
      description:
        'Server-side apply multi-document YAML. Every object is first dry-run on the API server, then checked by the kubernetes policies; only then applied. dry_run returns the plan without changing anything.',
      toolset: 'apply',
      tier: 'write',
      annotations: { ...WRITE, idempotentHint: true },
      auditArgs: (args) => ({ ...args, manifests: manifestsForAudit(args.manifests) }),
      input: z.object({
        context,
        manifests: z.string().min(1).max(500_000).describe('Kubernetes manifests: YAML documents separated by ---.'),
        namespace: namespace
          .optional()
          .describe('Namespace for objects that name none; the context default when omitted.'),
        dry_run: z
          .boolean()
          .default(false)
          .describe('Plan only: validate on the server and check policy, change nothing.'),
        force_conflicts: z
          .boolean()
          .default(false)
          .describe('Take over fields another field manager owns (server-side apply force).'),
      }),
      output: z.object({
        dry_run: z.boolean(),
        objects: z.array(stepSchema),
        policy: verdictOutput,
      }),
      handler: async (input, ctx) => {
        const objects = parseManifests(input.manifests);
        checkTier(ctx.caller, objects);
        const prepared = await prepare(kube, ctx.signal, input.context, objects, input.namespace, settings);
        const planned = await dryRun(kube, ctx.signal, input.context, prepared, input.force_conflicts);
        const policy = await checkPolicy(
          settings,
          prepared.map((item) => item.object),
          { tool: 'kubernetes.apply_manifests', ...(input.namespace ? { namespace: input.namespace } : {}) },
        );
        if (input.dry_run) return { dry_run: true, objects: planned, policy };
        const applied: Step[] = [];
        for (const [index, item] of prepared.entries()) {
          const step = planned[index]!;
          try {
            await serverSideApply(kube, ctx.signal, input.context, item.object, {
              dryRun: false,
              force: input.force_conflicts,
            });
          } catch (error) {
            const cause = error instanceof ToolError ? error : mapKubeError(error);
            if (!cause) throw error;
            const done = applied.map((s) => `${s.kind}/${s.name}`).join(', ') || 'none';
            throw new ToolError(
              cause.code,
              `applying ${ref(item.object)} failed after ${applied.length} of ${prepared.length} objects were applied (applied: ${done}): ${cause.message}`,
              {
                hint: 'apply is idempotent: fix the cause and call again with the same manifests',
                retryable: false,
                ...(cause.details !== undefined ? { details: cause.details } : {}),
              },
            );
          }
          applied.push({ ...step, status: 'applied' });
        }
        return { dry_run: false, objects: applied, policy };
      },
    }),
    defineTool({
      name: 'delete_resource',
      title: 'Delete resource',
      description:
        'Delete one object (a Namespace deletes everything in it; a Deployment its pods). dry_run checks that the delete would succeed without deleting.',
      toolset: 'apply',
      tier: 'admin',
      annotations: DESTRUCTIVE,
      input: z.object({
        ...objectArgs,
        dry_run: z.boolean().default(false).describe('Check only; delete nothing.'),
      }),
      output: z.object({
        kind: z.string(),
        name: z.string(),
        namespace: z.string().optional(),
        deleted: z.boolean(),
        dry_run: z.boolean(),
      }),
      handler: async (input, ctx) => {
        const resolved = await kube.resolve(ctx.signal, input.context, input.kind, input.api_version);
        checkDenied(settings, resolved.kind, 'deleting');
        const ns = resolved.namespaced ? (input.namespace ?? kube.context(input.context).defaultNamespace) : undefined;
        await kube.call(ctx.signal, input.context, (c) =>
          c.objects.delete(
            {
              apiVersion: resolved.apiVersion,
              kind: resolved.kind,
              metadata: { name: input.name, ...(ns ? { namespace: ns } : {}) },
            },
            undefined,
            input.dry_run ? 'All' : undefined,
            undefined,
            undefined,
            'Background',
          ),
        );
        return {
          kind: resolved.kind,
          name: input.name,
          ...(ns ? { namespace: ns } : {}),
          deleted: !input.dry_run,
          dry_run: input.dry_run,
        };
      },
    }),
  ];
}
