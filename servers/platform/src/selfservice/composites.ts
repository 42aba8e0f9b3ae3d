import { type PolicyDomain, type PolicyGate, type PolicyVerdict, ToolError } from '@idp-mcp/core';
import { parseAllDocuments, stringify } from 'yaml';
import * as z from 'zod';
import { TOOLS, type ToolHandle } from './handles.ts';
import {
  type Artefact,
  argocdApplication,
  catalogInfo,
  imageOf,
  kafkaTopic,
  namespaceOf,
  type PlatformSettings,
  type ServiceSpec,
  type TopicSpec,
  workloadManifests,
} from './render.ts';
import {
  foundBy,
  foundByKey,
  IDEMPOTENCY_KEY,
  type Invoke,
  refusedWith,
  type StepSpec,
  type ToolCall,
  toolCall,
  undoWith,
} from './steps.ts';
import { assertNoPlaceholders, DECLARATION, fill, parameterValues, parseDeclaration } from './template.ts';

/**
 * Self-service composites: each turns a request into a plan — the rendered artefacts, the policy verdict
 * on all of them, and the steps that would apply it — without changing anything.
 */
export interface PlanContext {
  settings: PlatformSettings;
  gate: PolicyGate;
  /** Reads made while planning (does the repository exist? what does the template hold?). */
  invoke: Invoke;
  /** Whether a handle's tool is mounted on this platform. */
  has(tool: ToolHandle): boolean;
  /** Who asked, as a reviewer reads it in a pull request: the token's username and subject, or the local caller. */
  requestedBy: string;
  signal: AbortSignal;
}

export interface PlanDraft {
  summary: string;
  artefacts: Artefact[];
  steps: StepSpec[];
  /** What the plan leaves out and why, e.g. an integration that is not mounted. */
  notes: string[];
  verdict: PolicyVerdict;
  /** Reads that found nothing (`not_found`) when the plan was made, e.g. the repository it creates: see Absent. */
  absent?: Absent[];
}

/** The state a plan was made against: `call` answered `not_found`; applying refuses if it answers now. */
export interface Absent {
  what: string;
  call: ToolCall;
}

export interface Composite<S extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject<S>;
  plan(input: z.output<z.ZodObject<S>>, ctx: PlanContext): Promise<PlanDraft>;
}

/** Types a composite from its input schema. */
function defineComposite<S extends z.ZodRawShape>(composite: Composite<S>): Composite<S> {
  return composite;
}

/** Composites of any input shape, as the platform holds them. */
// biome-ignore lint/suspicious/noExplicitAny: the list holds composites of every input shape
export type AnyComposite = Composite<any>;

const dnsLabel = (what: string) =>
  z.string().regex(/^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/, {
    error: `must be a lower-case DNS label (letters, digits, '-'), e.g. ${what}`,
  });

const topicInput = z.object({
  name: z.string().regex(/^[a-z0-9]+\.[a-z0-9-]+\.v[0-9]+$/, {
    error: 'must follow <domain>.<name>.<version>, e.g. orders.created.v1',
  }),
  partitions: z.number().int().min(1).max(1000).default(3),
  replicas: z.number().int().min(1).max(10).default(3),
  retention_hours: z.number().int().min(1).max(8760).default(168),
  cleanup_policy: z.enum(['delete', 'compact']).default('delete'),
});

function topicSpec(input: z.output<typeof topicInput>): TopicSpec {
  return {
    name: input.name,
    partitions: input.partitions,
    replicas: input.replicas,
    retentionHours: input.retention_hours,
    cleanupPolicy: input.cleanup_policy,
  };
}

/**
 * Refuses artefacts that still hold a template placeholder, then runs the policy gate over every artefact that has
 * a domain, one check per domain, and merges the verdicts.
 */
export async function checkArtefacts(gate: PolicyGate, artefacts: Artefact[], tool: string): Promise<PolicyVerdict> {
  assertNoPlaceholders(artefacts);
  const byDomain = new Map<NonNullable<Artefact['domain']>, unknown[]>();
  for (const artefact of artefacts) {
    if (!artefact.domain) continue;
    byDomain.set(artefact.domain, [...(byDomain.get(artefact.domain) ?? []), ...artefact.documents]);
  }
  const verdicts = await Promise.all(
    [...byDomain].map(([domain, documents]) => gate.check(domain, documents, { tool: `platform.${tool}` })),
  );
  return {
    allowed: verdicts.every((verdict) => verdict.allowed),
    violations: verdicts.flatMap((verdict) => verdict.violations),
    gate: [...new Set(verdicts.map((verdict) => verdict.gate))].join(', ') || 'none (nothing to check)',
  };
}

async function assertRepoIsNew(ctx: PlanContext, owner: string, repo: string): Promise<void> {
  try {
    await ctx.invoke(TOOLS.getRepository, { owner, repo }, ctx.signal);
  } catch (error) {
    if (error instanceof ToolError && error.code === 'not_found') return;
    throw error;
  }
  throw new ToolError('conflict', `repository ${owner}/${repo} already exists`, {
    hint: 'choose another name, or change the existing repository with the github tools',
    retryable: false,
  });
}

function repositoryAbsent(owner: string, repo: string): Absent {
  return { what: `repository ${owner}/${repo}`, call: toolCall(TOOLS.getRepository, { owner, repo }) };
}

/**
 * The golden-path template's text files with their placeholders filled in (only those that change), after
 * checking them against the parameters the template declares (template.ts).
 */
async function renderTemplate(
  ctx: PlanContext,
  offered: Record<string, string>,
): Promise<Array<{ path: string; content: string }>> {
  const { templateRepo } = ctx.settings;
  const [owner, repo] = templateRepo.split('/') as [string, string];
  const files: Array<{ path: string; content: string }> = [];
  const queue = [''];
  let read = 0;
  while (queue.length > 0 && read < 60) {
    const path = queue.shift()!;
    const listing = await ctx.invoke(TOOLS.getFileContents, { owner, repo, path }, ctx.signal);
    read++;
    if (listing.type === 'dir') {
      queue.push(
        ...(listing.entries ?? []).filter((entry) => entry.type === 'dir' || entry.type === 'file').map((e) => e.path),
      );
      continue;
    }
    files.push({ path, content: listing.content ?? '' });
  }
  const declaration = files.find((file) => file.path === DECLARATION);
  const templated = files.filter((file) => file !== declaration);
  const values = parameterValues(
    templateRepo,
    parseDeclaration(templateRepo, declaration?.content),
    templated,
    offered,
  );
  return templated
    .map((file) => ({ path: file.path, content: fill(file.content, values) }))
    .filter((file, index) => file.content !== templated[index]!.content);
}

/** Steps that need an optional integration: added when it is mounted, noted when it is not. */
function optional(ctx: PlanContext, notes: string[], tool: ToolHandle, what: string, step: () => StepSpec): StepSpec[] {
  if (ctx.has(tool)) return [step()];
  notes.push(`${what} skipped: ${tool.server} is not mounted on this platform`);
  return [];
}

function pullRequestSteps(
  settings: PlatformSettings,
  branch: string,
  title: string,
  body: string,
  files: Artefact[],
): StepSpec[] {
  const [owner, repo] = settings.gitopsRepo.split('/') as [string, string];
  const committed = files.map((file) => ({ path: file.path, content: file.content }));
  return [
    {
      name: 'gitops_branch',
      description: `Create branch ${branch} in ${settings.gitopsRepo}`,
      call: toolCall(TOOLS.createBranch, { owner, repo, branch }),
      undo: toolCall(TOOLS.deleteBranch, { owner, repo, branch }),
      alreadyDone: refusedWith('conflict'),
    },
    {
      name: 'gitops_commit',
      description: `Commit ${files.length} file(s) to ${branch}`,
      call: toolCall(TOOLS.pushFiles, {
        owner,
        repo,
        branch,
        message: title,
        files: committed,
      }),
      findEarlier: { files: { owner, repo, branch, files: committed } },
      undoneWith: 'gitops_branch',
    },
    {
      name: 'gitops_pull_request',
      description: `Open a pull request in ${settings.gitopsRepo} for Argo CD to apply once merged`,
      call: toolCall(TOOLS.createPullRequest, { owner, repo, title, head: branch, body }),
      ...undoWith(
        TOOLS.closePullRequest,
        { owner, repo, comment: 'Closed by idp-mcp self-service: a later step of this plan failed, so it was undone.' },
        { pull_number: 'number' },
      ),
      // GitHub answers 422 to a second pull request from the same branch: done if that branch's is open.
      alreadyDone: foundBy(
        'invalid_request',
        TOOLS.listPullRequests,
        { owner, repo, state: 'open', limit: 100 },
        { list: 'pull_requests', where: { head: branch } },
      ),
    },
  ];
}

function prBody(summary: string, verdict: PolicyVerdict, requestedBy: string): string {
  const warnings = verdict.violations.filter((violation) => violation.severity === 'warn');
  return [
    summary,
    '',
    `Requested by ${requestedBy} through idp-mcp self-service. Policy gate: ${verdict.gate}: ${warnings.length ? `${warnings.length} warning(s)` : 'no violations'}.`,
    ...warnings.map((warning) => `- ${warning.rule}: ${warning.message}`),
  ].join('\n');
}

/** Create the repository from the golden-path template, then commit its rendered files over the template's. */
function repositorySteps(settings: PlatformSettings, service: ServiceSpec, artefacts: Artefact[]): StepSpec[] {
  const repo = `${settings.org}/${service.name}`;
  const made = { owner: settings.org, repo: service.name };
  // Undone by archiving (it stays, read-only) unless PLATFORM_UNDO_REPOSITORY=delete, which needs admin rights.
  const undo =
    settings.undoRepository === 'delete'
      ? { undo: toolCall(TOOLS.deleteRepository, made) }
      : {
          undo: toolCall(TOOLS.archiveRepository, made),
          undoLeaves: `repository ${repo}, archived (read-only): an admin deletes it, or PLATFORM_UNDO_REPOSITORY=delete deletes it on undo`,
        };
  const files = artefacts
    .filter((file) => file.repo === repo)
    .map((file) => ({ path: file.path, content: file.content }));
  return [
    {
      name: 'create_repository',
      description: `Create ${repo} from the template ${settings.templateRepo}`,
      call: toolCall(TOOLS.createRepository, {
        owner: settings.org,
        name: service.name,
        description: service.description,
        template: settings.templateRepo,
      }),
      ...undo,
      // GitHub answers 422 to a repository name that is taken: done if the repository is there.
      alreadyDone: foundBy('invalid_request', TOOLS.getRepository, { owner: settings.org, repo: service.name }),
    },
    {
      name: 'commit_service_files',
      description: `Commit the rendered template files and catalog-info.yaml to ${repo}`,
      call: toolCall(TOOLS.pushFiles, {
        owner: settings.org,
        repo: service.name,
        branch: 'main',
        message: `Golden path: ${service.name} for team ${service.team}`,
        files,
      }),
      findEarlier: { files: { owner: settings.org, repo: service.name, branch: 'main', files } },
      undoneWith: 'create_repository',
    },
  ];
}

/** The policy domain of a template file: its CI workflows and its Kubernetes manifests are checked too. */
function templateFileDomain(path: string): PolicyDomain | undefined {
  if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) return 'cicd';
  if (/^k8s\/.+\.ya?ml$/.test(path)) return 'kubernetes';
  return undefined;
}

/** The repository's artefacts: the template's files with placeholders filled, and a catalog entry. */
async function repositoryArtefacts(ctx: PlanContext, service: ServiceSpec, topic?: TopicSpec): Promise<Artefact[]> {
  const repo = `${ctx.settings.org}/${service.name}`;
  const image = imageOf(service, ctx.settings);
  const templateFiles = await renderTemplate(ctx, {
    service_name: service.name,
    team: service.team,
    description: service.description,
    port: String(service.port),
    namespace: namespaceOf(service),
    registry_host: image.registryHost,
    image_name: image.name,
    image: image.reference,
  });
  return [
    ...templateFiles
      .filter((file) => file.path !== 'catalog-info.yaml')
      .map((file): Artefact => {
        const domain = templateFileDomain(file.path);
        return {
          repo,
          path: file.path,
          content: file.content,
          documents: domain
            ? parseAllDocuments(file.content)
                .map((document) => document.toJS() as Record<string, unknown>)
                .filter(Boolean)
            : [],
          ...(domain ? { domain } : {}),
        };
      }),
    catalogInfo(service, ctx.settings, topic),
  ];
}

function catalogStep(ctx: PlanContext, notes: string[], repo: string): StepSpec[] {
  return optional(ctx, notes, TOOLS.registerLocation, 'Catalog registration', () => ({
    name: 'register_catalog',
    description: `Register ${repo}'s catalog-info.yaml in Backstage`,
    call: toolCall(TOOLS.registerLocation, { url: `https://github.com/${repo}/blob/main/catalog-info.yaml` }),
    alreadyDone: refusedWith('conflict'),
  }));
}

function notifyStep(ctx: PlanContext, notes: string[], text: string, what: string): StepSpec[] {
  return optional(ctx, notes, TOOLS.sendMessage, 'Notification', () => ({
    name: 'notify',
    description: `Announce ${what} in ${ctx.settings.slackChannel}`,
    // The message carries the step's key, so that a retry finds it in the channel instead of posting it again.
    call: toolCall(TOOLS.sendMessage, {
      channel: ctx.settings.slackChannel,
      text: `${text}\n_ref ${IDEMPOTENCY_KEY}_`,
    }),
    findEarlier: foundByKey(
      TOOLS.getChannelHistory,
      { channel: ctx.settings.slackChannel, limit: 100 },
      'messages',
      'text',
    ),
  }));
}

function ticketStep(ctx: PlanContext, notes: string[], summary: string, description: string, team: string): StepSpec[] {
  return optional(ctx, notes, TOOLS.createIssue, 'Tracking ticket', () => ({
    name: 'tracking_ticket',
    description: `Open a tracking ticket in ${ctx.settings.jiraProject}`,
    call: toolCall(TOOLS.createIssue, {
      project: ctx.settings.jiraProject,
      type: 'Task',
      summary,
      description,
      // The ticket carries the step's key as a label, so that a retry finds it instead of opening another.
      labels: ['self-service', team, IDEMPOTENCY_KEY],
    }),
    findEarlier: foundByKey(
      TOOLS.searchIssues,
      { jql: `project = ${ctx.settings.jiraProject} AND labels = "${IDEMPOTENCY_KEY}"`, limit: 1 },
      'issues',
    ),
  }));
}

/** Where a plan's KafkaTopic goes, as the plan says it. */
function topicNote(topic: TopicSpec, settings: PlatformSettings, direct: boolean): string {
  if (direct) {
    return `Kafka topic ${topic.name}: created directly on cluster ${settings.kafkaCluster} through the kafka integration (PLATFORM_KAFKA_TOPICS=direct)`;
  }
  const fallback = settings.kafkaTopics === 'direct' ? ', as the kafka integration is not mounted' : '';
  return `Kafka topic ${topic.name}: KafkaTopic in the GitOps pull request, applied once merged (PLATFORM_KAFKA_TOPICS=gitops${fallback ? ' in effect' : ''})${fallback}`;
}

export const createService = defineComposite({
  name: 'create_service',
  title: 'Create a service (golden path)',
  description:
    'Plan a new microservice on the golden path: repository from the template, Kubernetes manifests and an Argo CD Application in a GitOps pull request, optional Kafka topic, catalog entry, notification and tracking ticket. Returns a plan id and the policy verdict; nothing changes until apply_plan.',
  input: z.object({
    name: dnsLabel('order-api').describe('Service name; also the repository name.'),
    team: dnsLabel('payments').describe('Owning team.'),
    description: z.string().min(3).max(200),
    environment: z.enum(['dev', 'staging', 'prod']).default('dev'),
    port: z.number().int().min(1024).max(65535).default(8080),
    kafka_topic: topicInput.optional().describe('A Kafka topic the service owns.'),
  }),
  async plan(input, ctx) {
    const { settings } = ctx;
    await assertRepoIsNew(ctx, settings.org, input.name);
    const service: ServiceSpec = {
      name: input.name,
      team: input.team,
      owner: input.team,
      description: input.description,
      port: input.port,
      environment: input.environment,
    };
    const topic = input.kafka_topic ? topicSpec(input.kafka_topic) : undefined;
    const serviceRepo = `${settings.org}/${service.name}`;
    const notes: string[] = [];
    // GitOps first: the KafkaTopic goes into the pull request with the rest, unless PLATFORM_KAFKA_TOPICS=direct
    // asks for it to be created through the kafka integration (Strimzi, policy-gated, undone on failure).
    const topicThroughKafka =
      topic !== undefined && settings.kafkaTopics === 'direct' && ctx.has(TOOLS.createKafkaTopic);
    if (topic) notes.push(topicNote(topic, settings, topicThroughKafka));
    const topicArtefact = topic ? kafkaTopic(topic, service, settings) : undefined;
    const gitopsFiles = [
      workloadManifests(service, settings),
      argocdApplication(service, settings),
      ...(topicArtefact && !topicThroughKafka ? [topicArtefact] : []),
    ];
    const artefacts: Artefact[] = [
      ...(await repositoryArtefacts(ctx, service, topic)),
      ...gitopsFiles,
      ...(topicArtefact && topicThroughKafka
        ? [{ ...topicArtefact, repo: `kafka:${settings.kafkaCluster}`, path: `KafkaTopic/${topic!.name}` }]
        : []),
    ];
    const verdict = await checkArtefacts(ctx.gate, artefacts, 'create_service');
    const summary = `Create ${serviceRepo} from ${settings.templateRepo} and deploy it to ${service.environment} through ${settings.gitopsRepo}${topic ? ` with Kafka topic ${topic.name}` : ''}.`;
    const steps: StepSpec[] = [
      ...repositorySteps(settings, service, artefacts),
      ...pullRequestSteps(
        settings,
        `service/${service.name}-${service.environment}`,
        `${service.name}: deploy to ${service.environment}`,
        prBody(summary, verdict, ctx.requestedBy),
        gitopsFiles,
      ),
      ...(topic && topicThroughKafka
        ? [
            {
              name: 'create_topic',
              description: `Create Kafka topic ${topic.name} (KafkaTopic on cluster ${settings.kafkaCluster})`,
              call: toolCall(TOOLS.createKafkaTopic, {
                topic: topic.name,
                partitions: topic.partitions,
                replicas: topic.replicas,
                config: (topicArtefact!.documents[0] as { spec: { config: Record<string, string> } }).spec.config,
                labels: { team: service.team, owner: service.owner },
              }),
              undo: toolCall(TOOLS.deleteKafkaTopic, { name: topic.name }),
              alreadyDone: refusedWith('conflict'),
            },
          ]
        : []),
      ...catalogStep(ctx, notes, serviceRepo),
      ...notifyStep(
        ctx,
        notes,
        `New service ${service.name} (team ${service.team}): ${summary} Repository: https://github.com/${serviceRepo}`,
        service.name,
      ),
      ...ticketStep(ctx, notes, `Onboard service ${service.name} (${service.environment})`, summary, service.team),
    ];
    return { summary, artefacts, steps, notes, verdict, absent: [repositoryAbsent(settings.org, service.name)] };
  },
});

export const createKafkaTopic = defineComposite({
  name: 'create_kafka_topic',
  title: 'Create a Kafka topic (GitOps)',
  description:
    'Plan a Kafka topic as a Strimzi KafkaTopic in the GitOps repository, checked against the kafka policies; apply_plan opens the pull request the Topic Operator applies once merged.',
  input: z.object({ team: dnsLabel('payments').describe('Owning team.'), topic: topicInput }),
  async plan(input, ctx) {
    const topic = topicSpec(input.topic);
    const service: ServiceSpec = {
      name: input.team,
      team: input.team,
      owner: input.team,
      description: '',
      port: 0,
      environment: 'shared',
    };
    const artefact = kafkaTopic(topic, service, ctx.settings);
    const verdict = await checkArtefacts(ctx.gate, [artefact], 'create_kafka_topic');
    const summary = `Create Kafka topic ${topic.name} (${topic.partitions} partitions, ${topic.replicas} replicas) on cluster ${ctx.settings.kafkaCluster} for team ${input.team}.`;
    return {
      summary,
      artefacts: [artefact],
      steps: pullRequestSteps(
        ctx.settings,
        `topic/${topic.name}`,
        `kafka: ${topic.name}`,
        prBody(summary, verdict, ctx.requestedBy),
        [artefact],
      ),
      notes: [],
      verdict,
    };
  },
});

export const createRepo = defineComposite({
  name: 'create_repo',
  title: 'Create a repository (golden path)',
  description:
    'Plan a repository from the golden-path template (rendered Dockerfile, CI workflow, manifests, catalog-info.yaml), checked against the CI/CD policies, registered in the catalog. Nothing changes until apply_plan.',
  input: z.object({
    name: dnsLabel('billing-worker').describe('Repository name.'),
    team: dnsLabel('payments').describe('Owning team.'),
    description: z.string().min(3).max(200),
  }),
  async plan(input, ctx) {
    await assertRepoIsNew(ctx, ctx.settings.org, input.name);
    const service: ServiceSpec = { ...input, owner: input.team, port: 8080, environment: 'dev' };
    const repo = `${ctx.settings.org}/${input.name}`;
    const artefacts = await repositoryArtefacts(ctx, service);
    const verdict = await checkArtefacts(ctx.gate, artefacts, 'create_repo');
    const summary = `Create ${repo} from ${ctx.settings.templateRepo} for team ${input.team}.`;
    const notes: string[] = [];
    const steps = [
      ...repositorySteps(ctx.settings, service, artefacts),
      ...catalogStep(ctx, notes, repo),
      ...notifyStep(ctx, notes, `New repository ${repo} (team ${input.team}): ${input.description}`, repo),
    ];
    return { summary, artefacts, steps, notes, verdict, absent: [repositoryAbsent(ctx.settings.org, input.name)] };
  },
});

const quantity = z
  .string()
  .regex(/^\d+(\.\d+)?(m|Mi|Gi)?$/, { error: 'must be a Kubernetes quantity, e.g. 4, 500m or 8Gi' });

export const onboardTeam = defineComposite({
  name: 'onboard_team',
  title: 'Onboard a team',
  description:
    "Plan a team's onboarding: namespace with quota, default limits, default-deny network policy and RoleBindings (checked by the kubernetes policies), a Slack channel and a tracking ticket.",
  input: z.object({
    team: dnsLabel('checkout').describe('Team name; also its namespace.'),
    cpu: quantity.default('4').describe('CPU quota of the namespace.'),
    memory: quantity.default('8Gi').describe('Memory quota of the namespace.'),
    pods: z.number().int().min(1).max(1000).default(50),
  }),
  async plan(input, ctx) {
    if (!ctx.has(TOOLS.onboardTeam)) {
      throw new ToolError(
        'upstream_unavailable',
        'onboard_team needs the kubernetes integration, which is not mounted',
        {
          hint: 'mount it (PLATFORM_INTEGRATIONS) and configure KUBECONFIG or K8S_IN_CLUSTER',
          retryable: false,
        },
      );
    }
    const namespace = { team: input.team, cpu: input.cpu, memory: input.memory, pods: input.pods };
    // The kubernetes server renders the namespace's objects and checks them with the policies in its dry run.
    const preview = await ctx.invoke(TOOLS.onboardTeam, { ...namespace, dry_run: true }, ctx.signal);
    const channel = `team-${input.team}`;
    const summary = `Onboard team ${input.team}: namespace ${input.team} (${preview.steps.map((step) => step.kind).join(', ')}), Slack channel #${channel}.`;
    const notes = ['Backstage groups come from the identity provider (Keycloak) group sync, not from this request'];
    const steps: StepSpec[] = [
      {
        name: 'namespace',
        description: `Create namespace ${input.team} with its quota, limits, network policy and RoleBindings`,
        call: toolCall(TOOLS.onboardTeam, { ...namespace, dry_run: false }),
        undo: toolCall(TOOLS.deleteResource, { kind: 'Namespace', name: input.team }),
      },
      ...optional(ctx, notes, TOOLS.createChannel, 'Team channel', () => ({
        name: 'slack_channel',
        description: `Create Slack channel #${channel}`,
        call: toolCall(TOOLS.createChannel, { name: channel, topic: `Team ${input.team}` }),
        alreadyDone: refusedWith('conflict'),
      })),
      ...ticketStep(ctx, notes, `Onboard team ${input.team}`, summary, input.team),
    ];
    const verdict: PolicyVerdict = {
      allowed: true,
      violations: preview.policy.warnings.map((warning) => ({ ...warning, severity: 'warn' as const })),
      gate: preview.policy.gate,
    };
    return {
      summary,
      artefacts: preview.steps.map((step) => ({
        repo: `cluster:${input.team}`,
        path: `${step.kind}/${step.name}`,
        documents: [],
        content: '',
      })),
      steps,
      notes,
      verdict,
    };
  },
});

/** What a workload needs to reach the database besides its host and password (which RDS holds): never a secret. */
function connectionSettings(input: { name: string; engine: 'postgres' | 'mysql' }, id: string): Record<string, string> {
  return {
    engine: input.engine,
    identifier: id,
    port: input.engine === 'postgres' ? '5432' : '3306',
    database: input.name.replace(/-/g, '_'),
    username: `${input.name.replace(/-/g, '_')}_admin`,
    sslmode: 'require',
  };
}

const DB_SIZES = { small: ['db.t4g.small', 20], medium: ['db.m7g.large', 100], large: ['db.r7g.xlarge', 500] } as const;

export const provisionDatabase = defineComposite({
  name: 'provision_database',
  title: 'Provision a database',
  description:
    'Plan an RDS database as Terraform (JSON syntax) in the GitOps repository, checked against the terraform policies (encryption, backups, not public, tags); apply_plan writes its connection settings to Vault (never a password in Git) and an ExternalSecret syncs them into the team namespace.',
  input: z.object({
    name: dnsLabel('orders').describe('Database name.'),
    team: dnsLabel('payments').describe('Owning team.'),
    engine: z.enum(['postgres', 'mysql']).default('postgres'),
    size: z.enum(['small', 'medium', 'large']).default('small'),
    environment: z.enum(['dev', 'staging', 'prod']).default('dev'),
  }),
  async plan(input, ctx) {
    const id = `${input.team}-${input.name}-${input.environment}`;
    const [instanceClass, storage] = DB_SIZES[input.size];
    const prod = input.environment === 'prod';
    const terraform = {
      resource: {
        aws_db_instance: {
          [id.replace(/-/g, '_')]: {
            identifier: id,
            engine: input.engine,
            engine_version: input.engine === 'postgres' ? '16.4' : '8.0.39',
            instance_class: instanceClass,
            allocated_storage: storage,
            storage_encrypted: true,
            backup_retention_period: prod ? 14 : 7,
            publicly_accessible: false,
            multi_az: prod,
            deletion_protection: prod,
            skip_final_snapshot: !prod,
            db_name: input.name.replace(/-/g, '_'),
            username: `${input.name.replace(/-/g, '_')}_admin`,
            manage_master_user_password: true,
            tags: { owner: input.team, team: input.team, environment: input.environment, 'managed-by': 'idp-mcp' },
          },
        },
      },
    };
    const dir = `infra/databases/${input.team}/${input.name}-${input.environment}`;
    const artefact: Artefact = {
      repo: ctx.settings.gitopsRepo,
      path: `${dir}/main.tf.json`,
      domain: 'terraform',
      documents: [terraform],
      content: `${JSON.stringify(terraform, null, 2)}\n`,
    };
    // KV v2 at mount `secret`: the API path has /data/, External Secrets' key is the path inside the mount.
    const secretKey = `${input.team}/databases/${input.name}-${input.environment}`;
    const vaultPath = `secret/data/${secretKey}`;
    const namespace = `${input.team}-${input.environment}`;
    const secretName = `${input.name}-db`;
    const externalSecret = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: {
        name: secretName,
        namespace,
        labels: { team: input.team, owner: input.team, 'app.kubernetes.io/managed-by': 'idp-mcp' },
      },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: ctx.settings.vaultSecretStore },
        target: { name: secretName, creationPolicy: 'Owner' },
        dataFrom: [{ extract: { key: secretKey } }],
      },
    };
    const secretArtefact: Artefact = {
      repo: ctx.settings.gitopsRepo,
      path: `${dir}/external-secret.yaml`,
      documents: [externalSecret],
      content: stringify(externalSecret, { lineWidth: 0 }),
    };
    const verdict = await checkArtefacts(ctx.gate, [artefact], 'provision_database');
    const summary = `Provision ${input.engine} database ${id} (${instanceClass}, ${storage} GiB, encrypted, private) through ${ctx.settings.gitopsRepo}; its connection settings go to Vault ${vaultPath}, synced to Secret ${namespace}/${secretName}.`;
    const notes = [
      `Credentials: the master password is managed by AWS (manage_master_user_password), never in Git or Vault; the connection settings (${Object.keys(connectionSettings(input, id)).join(', ')}) go to Vault ${vaultPath}, and the ExternalSecret ${namespace}/${secretName} (ClusterSecretStore ${ctx.settings.vaultSecretStore}) makes them the Secret ${secretName}: reference it with envFrom.secretRef.name: ${secretName}`,
    ];
    const files = [artefact, secretArtefact];
    const steps = [
      ...optional(ctx, notes, TOOLS.writeSecret, 'Vault connection settings', () => ({
        name: 'vault_credentials',
        description: `Write the connection settings of ${id} to Vault ${vaultPath}`,
        // cas 0: only a new secret; one already there is someone else's to change.
        call: toolCall(TOOLS.writeSecret, {
          mount: 'secret',
          path: secretKey,
          data: connectionSettings(input, id),
          cas: 0,
        }),
        undo: toolCall(TOOLS.deleteSecretVersions, { mount: 'secret', path: secretKey }),
        undoLeaves: `Vault ${vaultPath}: its version is deleted (reads fail); its metadata stays until an admin destroys it`,
        alreadyDone: refusedWith('conflict'),
      })),
      ...pullRequestSteps(
        ctx.settings,
        `database/${id}`,
        `database: ${id}`,
        prBody(summary, verdict, ctx.requestedBy),
        files,
      ),
      ...notifyStep(ctx, notes, `Database ${id} requested for team ${input.team}: ${summary}`, id),
      ...ticketStep(ctx, notes, `Provision database ${id}`, summary, input.team),
    ];
    return { summary, artefacts: files, steps, notes, verdict };
  },
});

/** What each data class keeps and for how long: the bucket's lifecycle rules. */
const DATA_CLASSES = {
  temporary: { expireDays: 30, transitions: [], noncurrentDays: 7 },
  standard: {
    expireDays: undefined,
    transitions: [
      { days: 30, storage_class: 'STANDARD_IA' },
      { days: 180, storage_class: 'GLACIER_IR' },
    ],
    noncurrentDays: 90,
  },
  archive: {
    expireDays: 2555,
    transitions: [
      { days: 30, storage_class: 'GLACIER' },
      { days: 180, storage_class: 'DEEP_ARCHIVE' },
    ],
    noncurrentDays: 365,
  },
} as const;

export const provisionBucket = defineComposite({
  name: 'provision_bucket',
  title: 'Provision an S3 bucket',
  description:
    "Plan an S3 bucket as Terraform (JSON syntax) in the GitOps repository: KMS encryption, versioning, public access block, lifecycle for the data class, access logging, tags, and an IRSA role for the team's service account with access to this bucket only. Checked against the terraform policies; nothing changes until apply_plan.",
  input: z.object({
    name: dnsLabel('invoices').describe('Bucket purpose; the bucket is named <org>-<team>-<name>-<environment>.'),
    team: dnsLabel('payments').describe('Owning team.'),
    environment: z.enum(['dev', 'staging', 'prod']).default('dev'),
    data_class: z
      .enum(['temporary', 'standard', 'archive'])
      .default('standard')
      .describe(
        'temporary: objects expire after 30 days; standard: to infrequent access, then Glacier IR; archive: Glacier, kept 7 years.',
      ),
    access: z.enum(['read', 'read-write']).default('read-write').describe("What the team's service account may do."),
    service_account: dnsLabel('invoices-api')
      .optional()
      .describe(
        "Kubernetes service account given the role, in namespace <team>-<environment>; the team's name when omitted.",
      ),
  }),
  async plan(input, ctx) {
    const { settings } = ctx;
    const bucket = `${settings.org}-${input.team}-${input.name}-${input.environment}`;
    const id = bucket.replace(/-/g, '_');
    const ref = (type: string, attribute: string) => `\${${type}.${id}.${attribute}}`;
    const namespace = `${input.team}-${input.environment}`;
    const serviceAccount = input.service_account ?? input.team;
    const tags = {
      owner: input.team,
      team: input.team,
      environment: input.environment,
      'data-class': input.data_class,
      'managed-by': 'idp-mcp',
    };
    const lifecycle = DATA_CLASSES[input.data_class];
    const bucketRef = ref('aws_s3_bucket', 'id');
    const objectActions =
      input.access === 'read' ? ['s3:GetObject'] : ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'];
    const keyActions = input.access === 'read' ? ['kms:Decrypt'] : ['kms:Decrypt', 'kms:GenerateDataKey'];
    const terraform = {
      variable: {
        eks_cluster_name: {
          type: 'string',
          default: `platform-${input.environment}`,
          description: 'EKS cluster whose service account assumes the role',
        },
      },
      data: {
        aws_eks_cluster: { [id]: { name: `\${var.eks_cluster_name}` } },
        aws_iam_openid_connect_provider: { [id]: { url: `\${data.aws_eks_cluster.${id}.identity[0].oidc[0].issuer}` } },
      },
      resource: {
        aws_kms_key: {
          [id]: {
            description: `Encrypts s3://${bucket}`,
            enable_key_rotation: true,
            deletion_window_in_days: 30,
            tags,
          },
        },
        aws_s3_bucket: { [id]: { bucket, tags } },
        aws_s3_bucket_versioning: { [id]: { bucket: bucketRef, versioning_configuration: { status: 'Enabled' } } },
        aws_s3_bucket_server_side_encryption_configuration: {
          [id]: {
            bucket: bucketRef,
            rule: [
              {
                apply_server_side_encryption_by_default: {
                  sse_algorithm: 'aws:kms',
                  kms_master_key_id: ref('aws_kms_key', 'arn'),
                },
                bucket_key_enabled: true,
              },
            ],
          },
        },
        aws_s3_bucket_public_access_block: {
          [id]: {
            bucket: bucketRef,
            block_public_acls: true,
            block_public_policy: true,
            ignore_public_acls: true,
            restrict_public_buckets: true,
          },
        },
        aws_s3_bucket_lifecycle_configuration: {
          [id]: {
            bucket: bucketRef,
            rule: [
              {
                id: input.data_class,
                status: 'Enabled',
                filter: {},
                ...(lifecycle.transitions.length > 0 ? { transition: lifecycle.transitions } : {}),
                ...(lifecycle.expireDays ? { expiration: { days: lifecycle.expireDays } } : {}),
                noncurrent_version_expiration: { noncurrent_days: lifecycle.noncurrentDays },
                abort_incomplete_multipart_upload: { days_after_initiation: 7 },
              },
            ],
          },
        },
        aws_s3_bucket_logging: {
          [id]: { bucket: bucketRef, target_bucket: settings.accessLogBucket, target_prefix: `${bucket}/` },
        },
        aws_iam_role: {
          [id]: {
            name: `${bucket}-irsa`,
            description: `${namespace}/${serviceAccount} on s3://${bucket}`,
            assume_role_policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Federated: `\${data.aws_iam_openid_connect_provider.${id}.arn}` },
                  Action: 'sts:AssumeRoleWithWebIdentity',
                  Condition: {
                    StringEquals: {
                      [`\${replace(data.aws_iam_openid_connect_provider.${id}.url, "https://", "")}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                      [`\${replace(data.aws_iam_openid_connect_provider.${id}.url, "https://", "")}:aud`]:
                        'sts.amazonaws.com',
                    },
                  },
                },
              ],
            }),
            tags,
          },
        },
        aws_iam_role_policy: {
          [id]: {
            name: `${bucket}-access`,
            role: ref('aws_iam_role', 'id'),
            policy: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ref('aws_s3_bucket', 'arn') },
                { Effect: 'Allow', Action: objectActions, Resource: `${ref('aws_s3_bucket', 'arn')}/*` },
                { Effect: 'Allow', Action: keyActions, Resource: ref('aws_kms_key', 'arn') },
              ],
            }),
          },
        },
      },
      output: {
        [`${id}_role_arn`]: {
          value: ref('aws_iam_role', 'arn'),
          description: 'eks.amazonaws.com/role-arn of the service account',
        },
      },
    };
    const artefact: Artefact = {
      repo: settings.gitopsRepo,
      path: `infra/buckets/${input.team}/${input.name}-${input.environment}/main.tf.json`,
      domain: 'terraform',
      documents: [terraform],
      content: `${JSON.stringify(terraform, null, 2)}\n`,
    };
    const verdict = await checkArtefacts(ctx.gate, [artefact], 'provision_bucket');
    const summary = `Provision S3 bucket ${bucket} (${input.data_class} data, KMS-encrypted, versioned, private, access-logged to ${settings.accessLogBucket}) with an IRSA role for ${namespace}/${serviceAccount} (${input.access}) through ${settings.gitopsRepo}.`;
    const notes = [
      `Service account: annotate ${namespace}/${serviceAccount} with eks.amazonaws.com/role-arn = the Terraform output ${id}_role_arn`,
    ];
    const steps = [
      ...pullRequestSteps(
        settings,
        `bucket/${bucket}`,
        `bucket: ${bucket}`,
        prBody(summary, verdict, ctx.requestedBy),
        [artefact],
      ),
      ...notifyStep(ctx, notes, `Bucket ${bucket} requested for team ${input.team}: ${summary}`, bucket),
      ...ticketStep(ctx, notes, `Provision bucket ${bucket}`, summary, input.team),
    ];
    return { summary, artefacts: [artefact], steps, notes, verdict };
  },
});

export const COMPOSITES: AnyComposite[] = [
  createService,
  createKafkaTopic,
  createRepo,
  onboardTeam,
  provisionDatabase,
  provisionBucket,
];
