import { defineTool, ToolError, verdictOutput, WRITE } from '@idp-mcp/core';
import type { Obj } from '@idp-mcp/kube';
import { type Kube, mapKubeError } from '@idp-mcp/kube';
import { stringify } from 'yaml';
import * as z from 'zod';
import { type ApplySettings, checkPolicy, dryRun, prepare, type Step, serverSideApply, stepSchema } from './apply.ts';
import { context } from './args.ts';

/**
 * Team onboarding (seed 003, "Team Namespaces"): a namespace with a quota, default container limits, a default-deny
 * network policy (plus DNS and same-namespace traffic) and RoleBindings for the team's groups. Plan first, then apply;
 * a failed apply removes what it created.
 */

const quantity = (example: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, { error: `must be a Kubernetes quantity, e.g. ${example}` });

const group = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9:._@-]*$/, { error: 'must be a group name, e.g. payments-developers' });

export const teamInput = z.object({
  context,
  team: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/, {
      error: 'must be a team name: lowercase letters, digits and -, e.g. payments',
    })
    .describe('Team name; labels every object.'),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: 'must be a namespace name, e.g. team-payments' })
    .optional()
    .describe('Namespace to create; the team name when omitted.'),
  cpu: quantity('4').default('4').describe('CPU quota for the namespace (requests and limits), e.g. 4 or 8.'),
  memory: quantity('8Gi').default('8Gi').describe('Memory quota (requests and limits), e.g. 8Gi or 16Gi.'),
  pods: z.number().int().min(1).max(1000).default(50).describe('Maximum pods in the namespace.'),
  default_cpu: quantity('500m').default('500m').describe('Default container CPU limit.'),
  default_memory: quantity('512Mi').default('512Mi').describe('Default container memory limit.'),
  default_cpu_request: quantity('100m').default('100m').describe('Default container CPU request.'),
  default_memory_request: quantity('128Mi').default('128Mi').describe('Default container memory request.'),
  admin_groups: z.array(group).max(10).default([]).describe('Groups bound to ClusterRole admin in the namespace.'),
  developer_groups: z
    .array(group)
    .max(10)
    .optional()
    .describe('Groups bound to ClusterRole edit; default ["<team>-developers"].'),
  viewer_groups: z.array(group).max(10).default([]).describe('Groups bound to ClusterRole view.'),
  allow_ingress_from_namespaces: z
    .array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: 'must be a namespace name' }))
    .max(10)
    .default([])
    .describe('Namespaces allowed to reach the team namespace, e.g. ["ingress-nginx"].'),
  labels: z
    .record(z.string(), z.string())
    .default({})
    .describe('Extra labels for the namespace, e.g. {"cost-center": "cc-42"}.'),
  dry_run: z
    .boolean()
    .default(true)
    .describe('true (default): return the plan and rendered manifests only; false: apply them.'),
});

export type TeamSpec = z.output<typeof teamInput>;

/** The objects a team namespace consists of, in apply order. */
export function renderTeam(spec: TeamSpec): Obj[] {
  const ns = spec.namespace ?? spec.team;
  const labels = { team: spec.team, 'app.kubernetes.io/managed-by': 'idp-mcp' };
  const meta = (name: string) => ({ name, namespace: ns, labels });
  const binding = (name: string, role: string, groups: string[]): Obj => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta(name),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: groups.map((g) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g })),
  });
  const developers = spec.developer_groups ?? [`${spec.team}-developers`];
  const objects: Obj[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        // The namespace policy (K8S-015) wants an owner: the team, unless the caller's labels name another.
        labels: { owner: spec.team, ...spec.labels, ...labels, 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta(`${spec.team}-quota`),
      spec: {
        hard: {
          'requests.cpu': spec.cpu,
          'requests.memory': spec.memory,
          'limits.cpu': spec.cpu,
          'limits.memory': spec.memory,
          pods: String(spec.pods),
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta(`${spec.team}-limits`),
      spec: {
        limits: [
          {
            type: 'Container',
            default: { cpu: spec.default_cpu, memory: spec.default_memory },
            defaultRequest: { cpu: spec.default_cpu_request, memory: spec.default_memory_request },
          },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-same-namespace-and-dns'),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [
          { to: [{ podSelector: {} }] },
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      },
    },
  ];
  if (spec.allow_ingress_from_namespaces.length > 0) {
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-from-namespaces'),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: spec.allow_ingress_from_namespaces.map((name) => ({
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } },
            })),
          },
        ],
      },
    });
  }
  if (spec.admin_groups.length > 0) objects.push(binding(`${spec.team}-admins`, 'admin', spec.admin_groups));
  if (developers.length > 0) objects.push(binding(`${spec.team}-developers`, 'edit', developers));
  if (spec.viewer_groups.length > 0) objects.push(binding(`${spec.team}-viewers`, 'view', spec.viewer_groups));
  return objects;
}

export function teamTools(kube: Kube, settings: ApplySettings) {
  return [
    defineTool({
      name: 'onboard_team',
      title: 'Onboard team namespace',
      description:
        'Create a team namespace with quota, default limits, default-deny network policies and RoleBindings for its groups. Policy-checked; dry_run (default) returns the plan and manifests, dry_run false applies and rolls back on failure.',
      toolset: 'teams',
      tier: 'admin',
      annotations: { ...WRITE, idempotentHint: true },
      input: teamInput,
      output: z.object({
        team: z.string(),
        namespace: z.string(),
        dry_run: z.boolean(),
        steps: z.array(stepSchema),
        policy: verdictOutput,
        manifests: z.string().optional().describe('The rendered manifests (plan only).'),
      }),
      handler: async (input, ctx) => {
        const ns = input.namespace ?? input.team;
        const objects = renderTeam(input);
        const prepared = await prepare(kube, ctx.signal, input.context, objects, ns, settings);
        const policy = await checkPolicy(
          settings,
          prepared.map((item) => item.object),
          { tool: 'kubernetes.onboard_team', namespace: ns },
        );
        const namespaceExists = prepared[0]!.existing !== undefined;
        const planned = await dryRun(kube, ctx.signal, input.context, prepared, false);
        if (input.dry_run) {
          return {
            team: input.team,
            namespace: ns,
            dry_run: true,
            steps: planned,
            policy,
            manifests: objects.map((o) => stringify(o)).join('---\n'),
          };
        }
        const done: Step[] = [];
        for (const [index, item] of prepared.entries()) {
          try {
            await serverSideApply(kube, ctx.signal, input.context, item.object, { dryRun: false, force: false });
            done.push({ ...planned[index]!, status: 'applied' });
          } catch (error) {
            const cause = error instanceof ToolError ? error : mapKubeError(error);
            if (!cause) throw error;
            const rolledBack = await rollBack(kube, ctx.signal, input.context, prepared, done, namespaceExists);
            throw new ToolError(
              cause.code,
              `onboarding ${input.team} failed at ${item.object.kind}/${item.object.metadata?.name}: ${cause.message}; ${rolledBack}`,
              { retryable: false, hint: 'fix the cause and call again: onboarding is idempotent' },
            );
          }
        }
        return { team: input.team, namespace: ns, dry_run: false, steps: done, policy };
      },
    }),
  ];
}

/** Undoes the objects this call created (the namespace when it created it, which takes the rest along). */
async function rollBack(
  kube: Kube,
  signal: AbortSignal,
  context: string | undefined,
  prepared: Awaited<ReturnType<typeof prepare>>,
  done: Step[],
  namespaceExisted: boolean,
): Promise<string> {
  const created = prepared.filter((item, index) => index < done.length && !item.existing);
  const targets = namespaceExisted ? created : created.filter((item) => item.object.kind === 'Namespace');
  const removed: string[] = [];
  for (const item of targets.reverse()) {
    try {
      await kube.call(signal, context, (c) =>
        c.objects.delete(item.object as never, undefined, undefined, undefined, undefined, 'Foreground'),
      );
      removed.push(`${item.object.kind}/${item.object.metadata?.name}`);
    } catch {
      return `rolling back failed at ${item.object.kind}/${item.object.metadata?.name}: remove it by hand (created: ${created.map((c) => c.object.metadata?.name).join(', ')})`;
    }
  }
  const updated = done.length - created.length;
  return `rolled back: removed ${removed.join(', ') || 'nothing'}${updated > 0 ? `; ${updated} existing objects were updated and stay updated` : ''}`;
}
