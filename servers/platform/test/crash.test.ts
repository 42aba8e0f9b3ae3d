import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrashWorld, type FakeName, type Platform, startCrashWorld } from './crash.ts';

/**
 * Fault injection: a platform process is SIGKILLed at a step of a self-service flow, either after the upstream acted
 * (it received the step's request and answers only after the process is gone: the change happened but the run does
 * not know it) or before (the step started and changed nothing), and a new process on the same state file resumes
 * the run at start-up. Every side effect must exist exactly once and the run must finish. CI kills one run of each
 * flow after every step in turn (one plan, a new process per step); IDP_MCP_CRASH_ALL=1 (scripts/crash-all.sh)
 * also kills a fresh run at each step, before and after, one step per run.
 */
let world: CrashWorld;
beforeAll(async () => {
  world = await startCrashWorld();
});
afterAll(async () => {
  await world?.close();
});

/** A step of a flow and the upstream request that makes its change. */
interface Target {
  step: string;
  fake: FakeName;
  method: string;
  path: (name: string) => string | RegExp;
}

interface Flow {
  tool: 'create_service' | 'onboard_team' | 'provision_database';
  args(name: string): Record<string, unknown>;
  /** Every step of the plan, in order. */
  steps: Target[];
  /** Each side effect of the flow for `name`, counted in the upstreams' own state: each must be 1. */
  effects(name: string): Record<string, number>;
}

const gitopsSteps = (branch: (name: string) => string): Target[] => [
  { step: 'gitops_branch', fake: 'github', method: 'POST', path: () => '/repos/acme/gitops/git/refs' },
  {
    step: 'gitops_commit',
    fake: 'github',
    method: 'PATCH',
    path: (name) => new RegExp(`^/repos/acme/gitops/git/refs/heads(/|%2F)${branch(name).replace('/', '(/|%2F)')}$`),
  },
  { step: 'gitops_pull_request', fake: 'github', method: 'POST', path: () => '/repos/acme/gitops/pulls' },
];
const notify: Target = { step: 'notify', fake: 'slack', method: 'POST', path: () => '/chat.postMessage' };
const ticket: Target = { step: 'tracking_ticket', fake: 'jira', method: 'POST', path: () => '/rest/api/3/issue' };

/** Commits pushed to a branch: each a PATCH of its ref that reached the upstream. */
const refUpdates = (repo: string, branch: string) =>
  world.github.requests.filter(
    (r) => r.method === 'PATCH' && r.path.replace(/%2F/g, '/') === `/repos/${repo}/git/refs/heads/${branch}`,
  ).length;
const branchesMade = (branch: string) =>
  world.github.state.repo('acme/gitops').refs.has(`refs/heads/${branch}`) ? 1 : 0;
const pullRequests = (branch: string) =>
  world.github.state
    .repo('acme/gitops')
    .pullRequests()
    .filter((pr) => pr.pull?.head === branch).length;
const messages = (text: string) =>
  world.slack.state.channel('platform')!.messages.filter((message) => message.text?.includes(text)).length;
const tickets = (summary: string) => world.jira.state.issues.filter((issue) => issue.summary === summary).length;

const FLOWS: Flow[] = [
  {
    tool: 'create_service',
    args: (name) => ({ name, team: 'orders', description: 'Crash test service' }),
    steps: [
      {
        step: 'create_repository',
        fake: 'github',
        method: 'POST',
        path: () => '/repos/acme/service-template/generate',
      },
      {
        step: 'commit_service_files',
        fake: 'github',
        method: 'PATCH',
        path: (name) => new RegExp(`^/repos/acme/${name}/git/refs/heads(/|%2F)main$`),
      },
      ...gitopsSteps((name) => `service/${name}-dev`),
      { step: 'register_catalog', fake: 'backstage', method: 'POST', path: () => '/api/catalog/locations' },
      notify,
      ticket,
    ],
    effects: (name) => ({
      repository: world.github.state.findRepo(`acme/${name}`) ? 1 : 0,
      service_commits: refUpdates(`acme/${name}`, 'main'),
      gitops_branches: branchesMade(`service/${name}-dev`),
      gitops_commits: refUpdates('acme/gitops', `service/${name}-dev`),
      pull_requests: pullRequests(`service/${name}-dev`),
      catalog_locations: [...world.backstage.state.locations.values()].filter((location) =>
        location.target.includes(`/acme/${name}/`),
      ).length,
      slack_messages: messages(`New service ${name} `),
      jira_tickets: tickets(`Onboard service ${name} (dev)`),
    }),
  },
  {
    tool: 'onboard_team',
    args: (team) => ({ team }),
    steps: [
      { step: 'namespace', fake: 'kubernetes', method: 'PATCH', path: (team) => `/api/v1/namespaces/${team}` },
      { step: 'slack_channel', fake: 'slack', method: 'POST', path: () => '/conversations.create' },
      ticket,
    ],
    effects: (team) => ({
      namespace: world.kubernetes.get('v1', 'Namespace', team) ? 1 : 0,
      resource_quota: world.kubernetes.list('v1', 'ResourceQuota', team).length,
      limit_range: world.kubernetes.list('v1', 'LimitRange', team).length,
      network_policy: world.kubernetes.list('networking.k8s.io/v1', 'NetworkPolicy', team).length > 0 ? 1 : 0,
      role_bindings: world.kubernetes.list('rbac.authorization.k8s.io/v1', 'RoleBinding', team).length > 0 ? 1 : 0,
      slack_channels: world.slack.state.channels.filter((channel) => channel.name === `team-${team}`).length,
      jira_tickets: tickets(`Onboard team ${team}`),
    }),
  },
  {
    tool: 'provision_database',
    args: (name) => ({ name, team: 'payments' }),
    steps: [...gitopsSteps((name) => `database/payments-${name}-dev`), notify, ticket],
    effects: (name) => ({
      gitops_branches: branchesMade(`database/payments-${name}-dev`),
      gitops_commits: refUpdates('acme/gitops', `database/payments-${name}-dev`),
      pull_requests: pullRequests(`database/payments-${name}-dev`),
      slack_messages: messages(`Database payments-${name}-dev requested`),
      jira_tickets: tickets(`Provision database payments-${name}-dev`),
    }),
  },
];

/** onboard_team calls an admin tool: every process of these tests may run every flow. */
const ADMIN = ['--role', 'platform-admin'];

async function runOf(platform: Platform, planId: string) {
  const runs = await platform.client.callTool({ name: 'list_runs', arguments: {} });
  return (runs.structuredContent as { runs: Array<{ run_id: string; plan_id: string; status: string }> }).runs.find(
    (candidate) => candidate.plan_id === planId,
  );
}

async function plan(platform: Platform, flow: Flow, name: string): Promise<string> {
  const planned = await platform.client.callTool({ name: flow.tool, arguments: flow.args(name) });
  expect(planned.isError, JSON.stringify(planned.content)).toBeFalsy();
  const { plan_id: planId, steps } = planned.structuredContent as { plan_id: string; steps: Array<{ name: string }> };
  // The targets are every step of the plan: a step added to a flow must be added here too.
  expect(steps.map((step) => step.name)).toEqual(flow.steps.map((target) => target.step));
  return planId;
}

/** Waits for a trap to spring in `platform`, or fails saying which never did (the run went past it, or failed). */
async function sprung(killed: Promise<void>, platform: Platform, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: the process was never killed; its log:\n${platform.stderr().slice(-3000)}`)),
      30_000,
    );
  });
  try {
    await Promise.race([killed, timeout]);
  } finally {
    clearTimeout(timer);
  }
  await platform.kill();
}

/** A new process resumes the run at start-up; it must finish, every side effect made exactly once. */
async function resumedToTheEnd(flow: Flow, name: string, planId: string): Promise<void> {
  const last = await world.platform(ADMIN);
  try {
    await expect
      .poll(async () => (await runOf(last, planId))?.status, { timeout: 30_000, interval: 100 })
      .toBe('succeeded');
  } finally {
    await last.close();
  }
  const effects = flow.effects(name);
  expect(effects).toEqual(Object.fromEntries(Object.keys(effects).map((key) => [key, 1])));
}

const match = (target: Target, name: string) => ({ method: target.method, path: target.path(name) });

describe.each(FLOWS)('$tool killed at every step and resumed', (flow) => {
  it('kill -9 after each step acted, in turn: every side effect exactly once', { timeout: 180_000 }, async () => {
    const name = `chain-${flow.tool.split('_')[0]}`;
    const first = await world.platform(ADMIN);
    const planId = await plan(first, flow, name);
    const [head, ...rest] = flow.steps;
    const killed = world.killAt(head!.fake, match(head!, name), { pid: first.pid });
    void first.client.callTool({ name: 'apply_plan', arguments: { plan_id: planId } }).catch(() => {});
    await sprung(killed, first, head!.step);
    // Each new process resumes the run, redoes nothing that was done, and dies after the next step acted.
    for (const target of rest) {
      const next = world.killAt(target.fake, match(target, name));
      await sprung(next, await world.platform(ADMIN), target.step);
    }
    await resumedToTheEnd(flow, name, planId);
  });

  const cases = process.env.IDP_MCP_CRASH_ALL
    ? flow.steps.flatMap((target) => (['before', 'after'] as const).map((when) => ({ ...target, when })))
    : [];
  if (cases.length === 0) return;
  it.each(cases)(
    'kill -9 $when $step: every side effect exactly once after resume',
    { timeout: 60_000 },
    async (target) => {
      const name = `${target.when}-${target.step.replace(/_/g, '-')}`.slice(0, 30);
      const first = await world.platform(ADMIN);
      const planId = await plan(first, flow, name);
      const killed = world.killAt(target.fake, match(target, name), { when: target.when, pid: first.pid });
      void first.client.callTool({ name: 'apply_plan', arguments: { plan_id: planId } }).catch(() => {});
      await sprung(killed, first, target.step);
      await resumedToTheEnd(flow, name, planId);
    },
  );
});

describe('resuming interrupted runs', () => {
  /** A run of create_service killed after Slack posted its message: resumable, one step left. */
  async function interruptedRun(service: string): Promise<string> {
    const first = await world.platform();
    const planned = await first.client.callTool({
      name: 'create_service',
      arguments: { name: service, team: 'orders', description: 'Crash test service' },
    });
    const planId = (planned.structuredContent as { plan_id: string }).plan_id;
    const killed = world.killAt('slack', { method: 'POST', path: '/chat.postMessage' }, { pid: first.pid });
    void first.client.callTool({ name: 'apply_plan', arguments: { plan_id: planId } }).catch(() => {});
    await killed;
    await first.kill();
    return planId;
  }

  it('a read-only process resumes nothing and says so; a writable one resumes', { timeout: 60_000 }, async () => {
    const service = 'crash-read-only';
    const planId = await interruptedRun(service);
    const tickets = () => world.jira.state.issues.filter((issue) => issue.summary.includes(service)).length;

    const viewer = await world.platform(['--read-only', '--role', 'viewer']);
    try {
      expect((await runOf(viewer, planId))?.status).toBe('running');
      await expect.poll(() => viewer.stderr(), { timeout: 10_000 }).toMatch(/not resumed.*read-only/);
      expect(tickets()).toBe(0);
    } finally {
      await viewer.close();
    }

    const writer = await world.platform();
    try {
      await expect.poll(async () => (await runOf(writer, planId))?.status, { timeout: 30_000 }).toBe('succeeded');
    } finally {
      await writer.close();
    }
    expect(tickets()).toBe(1);
    expect(FLOWS[0]!.effects(service).slack_messages).toBe(1);
  });

  it('a live process resumes a run another process left behind; a read-only one reports it', {
    timeout: 120_000,
  }, async () => {
    const sweep = { PLATFORM_SWEEP_SECONDS: '1' };
    // Each process is started before its run exists: only its sweep can find it. One run each, so the writer cannot
    // take the run before the read-only process has had the chance to report it.
    const viewer = await world.platform(['--read-only', '--role', 'viewer'], sweep);
    try {
      await interruptedRun('crash-orphan-seen');
      await expect
        .poll(() => viewer.stderr(), { timeout: 30_000 })
        .toMatch(/1 orphaned run\(s\) not resumed: this process is read-only/);
    } finally {
      await viewer.close();
    }
    const service = 'crash-orphan';
    const writer = await world.platform([], sweep);
    try {
      const planId = await interruptedRun(service);
      await expect.poll(async () => (await runOf(writer, planId))?.status, { timeout: 30_000 }).toBe('succeeded');
      expect(writer.stderr()).toMatch(/resuming an interrupted run/);
    } finally {
      await writer.close();
    }
    const effects = FLOWS[0]!.effects(service);
    expect(effects).toEqual(Object.fromEntries(Object.keys(effects).map((key) => [key, 1])));
  });

  it('start-up serves while a stuck run resumes in the background', { timeout: 60_000 }, async () => {
    const service = 'crash-stuck';
    const planId = await interruptedRun(service);
    // Jira hangs on the ticket the resumed run opens.
    world.jira.failNext({ method: 'POST', path: '/rest/api/3/issue', delayMs: 8_000 });
    const second = await world.platform();
    try {
      // The process answers while the resumed run still waits on Jira.
      expect((await runOf(second, planId))?.status).toBe('running');
      await expect.poll(async () => (await runOf(second, planId))?.status, { timeout: 40_000 }).toBe('succeeded');
    } finally {
      await second.close();
    }
  });

  it('a caller who cancels apply_plan stops the run at the next step boundary and undoes its done steps', {
    timeout: 60_000,
  }, async () => {
    const service = 'crash-cancel';
    const platform = await world.platform();
    try {
      const planned = await platform.client.callTool({
        name: 'create_service',
        arguments: { name: service, team: 'orders', description: 'Crash test service' },
      });
      const planId = (planned.structuredContent as { plan_id: string }).plan_id;
      world.slack.failNext({ method: 'POST', path: '/chat.postMessage', delayMs: 1_000 });
      const posts = () => world.slack.requests.filter((r) => r.path === '/chat.postMessage').length;
      const issues = () => world.jira.requests.filter((r) => r.path === '/rest/api/3/issue').length;
      const [postsBefore, issuesBefore] = [posts(), issues()];
      const caller = new AbortController();
      const applied = platform.client
        .callTool({ name: 'apply_plan', arguments: { plan_id: planId } }, { signal: caller.signal })
        .catch(() => undefined);
      // notify is in flight (Slack answers slowly) when the caller cancels.
      await expect.poll(posts, { timeout: 20_000 }).toBe(postsBefore + 1);
      caller.abort();
      await applied;
      await expect.poll(async () => (await runOf(platform, planId))?.status, { timeout: 20_000 }).toBe('canceled');
      const run = await platform.client.callTool({
        name: 'get_run',
        arguments: { run_id: (await runOf(platform, planId))!.run_id },
      });
      const steps = (run.structuredContent as { steps: Array<{ name: string; status: string }> }).steps;
      const status = Object.fromEntries(steps.map((step) => [step.name, step.status]));
      // The step after the boundary never ran; the repository the run made is undone.
      expect(status.tracking_ticket).toBe('pending');
      expect(issues()).toBe(issuesBefore);
      expect(status.create_repository).toBe('undone');
      expect(Object.values(status).filter((value) => value === 'running' || value === 'failed')).toEqual([]);
    } finally {
      await platform.close();
    }
  });
});

it('refuses with conflict the second of two plans for one service name, taking nothing over', {
  timeout: 60_000,
}, async () => {
  const service = 'crash-twice';
  const platform = await world.platform();
  try {
    const plan = async (team: string) =>
      (
        (
          await platform.client.callTool({
            name: 'create_service',
            arguments: { name: service, team, description: 'Crash test service' },
          })
        ).structuredContent as { plan_id: string }
      ).plan_id;
    const first = await plan('orders');
    const second = await plan('payments');
    const applied = await platform.client.callTool({ name: 'apply_plan', arguments: { plan_id: first } });
    expect(applied.isError, JSON.stringify(applied.content)).toBeFalsy();
    const requests = world.github.requests.length;
    const refused = await platform.client.callTool({ name: 'apply_plan', arguments: { plan_id: second } });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toMatch(
      /conflict: plan plan_\w+ was made when repository acme\/crash-twice did not exist/,
    );
    // Only the re-check read GitHub; the catalog entry still names the first team.
    expect(world.github.requests.slice(requests).every((request) => request.method === 'GET')).toBe(true);
    const catalog = world.github.state.repo(`acme/${service}`).file('main', 'catalog-info.yaml');
    expect(catalog).toContain('orders');
    expect(catalog).not.toContain('payments');
  } finally {
    await platform.close();
  }
});
