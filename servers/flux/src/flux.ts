import { ToolError } from '@idp-mcp/core';
import type { Kube, ResolvedKind } from '@idp-mcp/kube';
import { PatchStrategy } from '@kubernetes/client-node';

/**
 * Flux objects through the Kubernetes API: the kinds, their resolution through discovery (so the served version is
 * used), reading, listing and the annotation/suspend patches the flux CLI makes.
 */

export const FLUX_KINDS = {
  Kustomization: { group: 'kustomize.toolkit.fluxcd.io', plural: 'kustomizations' },
  HelmRelease: { group: 'helm.toolkit.fluxcd.io', plural: 'helmreleases' },
  GitRepository: { group: 'source.toolkit.fluxcd.io', plural: 'gitrepositories' },
  OCIRepository: { group: 'source.toolkit.fluxcd.io', plural: 'ocirepositories' },
  HelmRepository: { group: 'source.toolkit.fluxcd.io', plural: 'helmrepositories' },
} as const;

export type FluxKind = keyof typeof FLUX_KINDS;
export const SOURCE_KINDS = ['GitRepository', 'OCIRepository', 'HelmRepository'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';
export const FORCE_AT = 'reconcile.fluxcd.io/forceAt';
const FIELD_MANAGER = 'idp-mcp-flux';

export type FluxObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    generation?: number;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export class Flux {
  readonly kube: Kube;

  constructor(kube: Kube) {
    this.kube = kube;
  }

  /** The served version of a Flux kind; a clear error when Flux (or that controller) is not installed. */
  async resolve(signal: AbortSignal, context: string | undefined, kind: FluxKind): Promise<ResolvedKind> {
    const { group, plural } = FLUX_KINDS[kind];
    try {
      return await this.kube.resolve(signal, context, `${plural}.${group}`);
    } catch (error) {
      if (error instanceof ToolError && error.code === 'invalid_request') {
        throw new ToolError('not_found', `Flux is not installed in this cluster: it serves no ${plural}.${group}`, {
          hint: 'install Flux (flux install) or choose another context; list_contexts on the kubernetes server shows them',
        });
      }
      throw error;
    }
  }

  async list(
    signal: AbortSignal,
    context: string | undefined,
    kind: FluxKind,
    namespace: string | undefined,
    options: { limit: number; continue?: string | undefined; labelSelector?: string | undefined },
  ): Promise<{ items: FluxObject[]; continue?: string }> {
    const resolved = await this.resolve(signal, context, kind);
    const page = await this.kube.list(signal, context, resolved, {
      namespace,
      labelSelector: options.labelSelector,
      limit: options.limit,
      continue: options.continue,
    });
    return { items: page.items as FluxObject[], ...(page.continue ? { continue: page.continue } : {}) };
  }

  async get(
    signal: AbortSignal,
    context: string | undefined,
    kind: FluxKind,
    name: string,
    namespace: string,
  ): Promise<FluxObject> {
    const resolved = await this.resolve(signal, context, kind);
    const object = await this.kube.call(signal, context, (c) =>
      c.objects.read({ apiVersion: resolved.apiVersion, kind: resolved.kind, metadata: { name, namespace } }),
    );
    return { ...(JSON.parse(JSON.stringify(object)) as FluxObject), kind };
  }

  /** A merge patch of metadata and spec, like the flux CLI's reconcile, suspend and resume. */
  async patch(
    signal: AbortSignal,
    context: string | undefined,
    kind: FluxKind,
    name: string,
    namespace: string,
    patch: { annotations?: Record<string, string>; spec?: Record<string, unknown> },
  ): Promise<FluxObject> {
    const resolved = await this.resolve(signal, context, kind);
    const body = {
      apiVersion: resolved.apiVersion,
      kind: resolved.kind,
      metadata: { name, namespace, ...(patch.annotations ? { annotations: patch.annotations } : {}) },
      ...(patch.spec ? { spec: patch.spec } : {}),
    };
    const result = await this.kube.call(signal, context, (c) =>
      c.objects.patch(body, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch),
    );
    return { ...(JSON.parse(JSON.stringify(result)) as FluxObject), kind };
  }
}

export function conditionsOf(object: FluxObject): Condition[] {
  return ((object.status?.conditions as Condition[] | undefined) ?? []).map((c) => ({
    type: c.type,
    status: c.status,
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message.slice(0, 600) } : {}),
    ...(c.lastTransitionTime ? { lastTransitionTime: c.lastTransitionTime } : {}),
  }));
}

/** A source reference as `Kind/namespace/name`, the namespace defaulting to the referrer's. */
export function sourceOf(object: FluxObject): { kind: string; name: string; namespace: string } | undefined {
  const spec = object.spec ?? {};
  const ref =
    (spec.sourceRef as { kind?: string; name?: string; namespace?: string } | undefined) ??
    (spec.chart as { spec?: { sourceRef?: { kind?: string; name?: string; namespace?: string } } } | undefined)?.spec
      ?.sourceRef ??
    (spec.chartRef as { kind?: string; name?: string; namespace?: string } | undefined);
  if (!ref?.kind || !ref.name) return undefined;
  return { kind: ref.kind, name: ref.name, namespace: ref.namespace ?? object.metadata.namespace ?? 'flux-system' };
}

export function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
