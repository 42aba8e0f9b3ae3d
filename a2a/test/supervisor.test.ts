import { randomUUID } from 'node:crypto';
import { type AgentCard, type Message, type Part, Role, type StreamResponse, type Task, TaskState } from '@a2a-js/sdk';
import { type Client, ClientFactory, JsonRpcTransportFactory, RestTransportFactory } from '@a2a-js/sdk/client';
import { callerFromRoles, silentLogger } from '@idp-mcp/core';
import { shippedPolicyGate } from '@idp-mcp/testing/mcp';
import { bearerFetch, type KeycloakIssuer, startKeycloakIssuer } from '@idp-mcp/testing/oidc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSupervisor, startSupervisor } from '../src/index.ts';

const data = (value: unknown): Part => ({
  content: { $case: 'data', value },
  mediaType: 'application/json',
  filename: '',
  metadata: undefined,
});
const text = (value: string): Part => ({
  content: { $case: 'text', value },
  mediaType: 'text/plain',
  filename: '',
  metadata: undefined,
});
const message = (parts: Part[], taskId = ''): Message => ({
  messageId: randomUUID(),
  contextId: '',
  taskId,
  role: Role.ROLE_USER,
  parts,
  metadata: undefined,
  extensions: [],
  referenceTaskIds: [],
});
const send = (parts: Part[], taskId = '') => ({
  tenant: '',
  message: message(parts, taskId),
  configuration: undefined,
  metadata: undefined,
});
const asTask = (result: unknown) => {
  expect((result as Task).status).toBeDefined();
  return result as Task;
};
const statusText = (task: Task) =>
  (task.status?.message?.parts ?? []).flatMap((part) => (part.content?.$case === 'text' ? [part.content.value] : []));
const artifactData = (task: Task, id: string) =>
  task.artifacts.find((artifact) => artifact.artifactId === id)?.parts.find((part) => part.content?.$case === 'data')
    ?.content?.value as Record<string, unknown> | undefined;

describe('the A2A supervisor in front of the platform, behind the realm', () => {
  let issuer: KeycloakIssuer;
  let supervisor: RunningSupervisor;

  const clientFor = async (username: string, binding: 'JSONRPC' | 'HTTP+JSON' = 'JSONRPC'): Promise<Client> => {
    const token = await issuer.sign(issuer.claimsFor(username));
    const fetchImpl = bearerFetch(token);
    const factory = new ClientFactory({
      transports: [new JsonRpcTransportFactory({ fetchImpl }), new RestTransportFactory({ fetchImpl })],
      preferredTransports: [binding],
    });
    return factory.createFromUrl(supervisor.url);
  };
  const topic = (team: string, name: string, extra: Record<string, unknown> = {}) =>
    data({ skill: 'create_kafka_topic', arguments: { team, topic: { name, ...extra } } });

  beforeAll(async () => {
    issuer = await startKeycloakIssuer();
    supervisor = await startSupervisor({
      env: { IDP_MCP_STATE: ':memory:', IDP_MCP_OIDC_ISSUER: issuer.issuer },
      sandbox: true,
      host: '127.0.0.1',
      port: 0,
      role: 'developer',
      gate: shippedPolicyGate,
      log: silentLogger,
    });
  });
  afterAll(async () => {
    await supervisor?.close();
    await issuer?.close();
  });

  it('serves the agent card to anyone, and every method only with a realm token', async () => {
    const response = await fetch(`${supervisor.url}/.well-known/agent-card.json`, {
      headers: { 'a2a-version': '1.0' },
    });
    expect(response.status).toBe(200);
    const card = (await response.json()) as Record<string, unknown> & {
      skills: Array<{ id: string; examples: string[] }>;
      supportedInterfaces: Array<{ url: string; protocolBinding: string; protocolVersion: string }>;
      securitySchemes: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(card.skills.map((skill) => skill.id)).toEqual([
      'create_service',
      'create_kafka_topic',
      'create_repo',
      'onboard_team',
      'provision_database',
      'provision_bucket',
      'operate_platform',
    ]);
    expect(JSON.parse(card.skills[1]!.examples[0]!)).toMatchObject({ skill: 'create_kafka_topic' });
    expect(card.supportedInterfaces).toEqual([
      { url: `${supervisor.url}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: `${supervisor.url}/a2a/rest`, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0' },
      { url: `${supervisor.url}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
      { url: `${supervisor.url}/a2a/rest`, protocolBinding: 'HTTP+JSON', protocolVersion: '0.3' },
    ]);
    expect(card.securitySchemes.keycloak?.openIdConnectSecurityScheme?.openIdConnectUrl).toBe(
      `${issuer.issuer}/.well-known/openid-configuration`,
    );
    expect(JSON.stringify(card.securitySchemes['keycloak-client-credentials'])).toContain(
      `${issuer.issuer}/protocol/openid-connect/token`,
    );

    const anonymous = await fetch(`${supervisor.url}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ListTasks', params: {} }),
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
  });

  it("gives each caller an extended card with what their role may do, and the platform's refusal as a rejected task", async () => {
    const viewer = await clientFor('vera-viewer');
    const viewerCard: AgentCard = await viewer.getAgentCard();
    expect(viewerCard.skills.map((skill) => skill.id)).toEqual(['operate_platform']);
    expect(viewerCard.description).toContain('vera-viewer');

    const developer = await clientFor('dev-developer');
    expect((await developer.getAgentCard()).skills).toHaveLength(7);

    const refused = asTask(await viewer.sendMessage(send([topic('payments', 'payments.viewer.v1')])));
    expect(refused.status?.state).toBe(TaskState.TASK_STATE_REJECTED);
    expect(statusText(refused).join()).toContain('create_kafka_topic needs the write tier; your roles grant read');
  });

  it("serves a machine that got its token at the card's client-credentials token URL", async () => {
    const developer = await clientFor('dev-developer');
    const card = await developer.getAgentCard();
    const scheme = card.securitySchemes['keycloak-client-credentials']?.scheme;
    const flow = scheme?.$case === 'oauth2SecurityScheme' ? scheme.value.flows?.flow : undefined;
    if (flow?.$case !== 'clientCredentials') throw new Error(`no client credentials flow on the card: ${flow?.$case}`);
    const granted = await fetch(flow.value.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`idp-a2a-supervisor:${issuer.clientSecret('idp-a2a-supervisor')}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'idp-mcp' }),
    });
    expect(granted.status).toBe(200);
    const { access_token } = (await granted.json()) as { access_token: string };
    const machine = await new ClientFactory({
      transports: [
        new JsonRpcTransportFactory({
          fetchImpl: bearerFetch(access_token),
        }),
      ],
    }).createFromUrl(supervisor.url);
    const planned = asTask(await machine.sendMessage(send([topic('payments', 'payments.machine.v1')])));
    expect(planned.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect((await machine.getAgentCard()).description).toContain('service-account-idp-a2a-supervisor');
  });

  it('plans on the first turn, applies on approval and completes with the run, audited as the caller', async () => {
    const developer = await clientFor('dev-developer');
    const planned = asTask(await developer.sendMessage(send([topic('payments', 'payments.ledger.v1')])));
    expect(planned.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const plan = artifactData(planned, 'plan');
    expect(plan).toMatchObject({ status: 'planned', plan_id: expect.stringMatching(/^plan_/) });
    expect(planned.metadata?.['idp-mcp/plan_id']).toBe(plan?.plan_id);

    const done = asTask(await developer.sendMessage(send([data({ approve: true })], planned.id)));
    expect(done.id).toBe(planned.id);
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const run = artifactData(done, 'run');
    expect(run).toMatchObject({ status: 'succeeded', plan_id: plan?.plan_id });
    expect(run?.done).toEqual(expect.arrayContaining(['gitops_pull_request']));

    const audit = await supervisor.platform.call(
      callerFromRoles('auditor', ['platform-admin']),
      'query_audit',
      { tool: 'apply_plan' },
      { signal: AbortSignal.timeout(10_000) },
    );
    const entries = (audit.structuredContent as { entries: Array<{ caller: string; plan_id: string | null }> }).entries;
    expect(entries.find((entry) => entry.plan_id === plan?.plan_id)?.caller).toBe(
      issuer.claimsFor('dev-developer').sub,
    );
  });

  it('streams over HTTP+JSON: the plan, then each apply step as a status update, then completion', async () => {
    const developer = await clientFor('dev-developer', 'HTTP+JSON');
    const first: StreamResponse[] = [];
    for await (const event of developer.sendMessageStream(send([topic('payments', 'payments.stream.v1')]))) {
      first.push(event);
    }
    expect(first.map((event) => event.payload?.$case)).toEqual([
      'task',
      'statusUpdate',
      'artifactUpdate',
      'statusUpdate',
    ]);
    const taskId = (first[0]!.payload!.value as Task).id;
    const last = first.at(-1)!.payload!.value as { status: { state: TaskState } };
    expect(last.status.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);

    const second: StreamResponse[] = [];
    for await (const event of developer.sendMessageStream(send([text('approve')], taskId))) second.push(event);
    const states = second.flatMap((event) =>
      event.payload?.$case === 'statusUpdate' ? [event.payload.value.status?.state] : [],
    );
    expect(second[0]!.payload?.$case).toBe('task');
    expect(states.at(-1)).toBe(TaskState.TASK_STATE_COMPLETED);
    // Started, one update per step, the run's end, then completed.
    expect(states.filter((state) => state === TaskState.TASK_STATE_WORKING).length).toBeGreaterThanOrEqual(4);
    expect(second.some((event) => event.payload?.$case === 'artifactUpdate')).toBe(true);
  });

  it('ends a plan the policies deny as rejected, with each rule in the verdict artifact', async () => {
    const developer = await clientFor('dev-developer');
    const denied = asTask(
      await developer.sendMessage(send([topic('payments', 'payments.thin.v1', { partitions: 1 })])),
    );
    expect(denied.status?.state).toBe(TaskState.TASK_STATE_REJECTED);
    expect(statusText(denied).join()).toContain('[KAFKA-001]');
    const verdict = artifactData(denied, 'policy-verdict') as { violations: Array<{ rule: string }> };
    expect(verdict.violations.map((violation) => violation.rule)).toContain('KAFKA-001');
  });

  it('gets, lists (each caller their own) and cancels tasks; a rejected answer changes nothing', async () => {
    const developer = await clientFor('dev-developer');
    const admin = await clientFor('ada-admin');
    const waiting = asTask(await developer.sendMessage(send([topic('payments', 'payments.cancel.v1')])));
    const declined = asTask(await developer.sendMessage(send([topic('payments', 'payments.decline.v1')])));

    expect((await developer.getTask({ tenant: '', id: waiting.id })).status?.state).toBe(
      TaskState.TASK_STATE_INPUT_REQUIRED,
    );
    await expect(admin.getTask({ tenant: '', id: waiting.id })).rejects.toThrow(/not found/i);
    const listed = await developer.listTasks({
      tenant: '',
      contextId: '',
      status: TaskState.TASK_STATE_INPUT_REQUIRED,
      pageToken: '',
      statusTimestampAfter: undefined,
    });
    expect(listed.tasks.map((task) => task.id)).toEqual(expect.arrayContaining([waiting.id, declined.id]));
    expect(
      (
        await admin.listTasks({
          tenant: '',
          contextId: '',
          status: TaskState.TASK_STATE_UNSPECIFIED,
          pageToken: '',
          statusTimestampAfter: undefined,
        })
      ).tasks,
    ).toEqual([]);

    const canceled = await developer.cancelTask({ tenant: '', id: waiting.id, metadata: undefined });
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    const answered = asTask(await developer.sendMessage(send([data({ approve: false })], declined.id)));
    expect(answered.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect(statusText(answered).join()).toContain('was not approved; nothing changed');
  });

  it('cancels a task mid-apply: the run stops at the step boundary, undoes its done steps and the task ends canceled', async () => {
    const developer = await clientFor('dev-developer');
    const github = await supervisor.platform.world.shared<{
      failNext(fault: { method: string; path: RegExp; delayMs: number }): void;
      requests: Array<{ method: string; path: string }>;
      close(): Promise<void>;
    }>('github', () => Promise.reject(new Error('the platform has not started the GitHub fake')));
    const waiting = asTask(await developer.sendMessage(send([topic('payments', 'payments.midcancel.v1')])));
    const commits = () => github.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/git/refs/')).length;
    const pulls = () => github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pulls')).length;
    const [commitsBefore, pullsBefore] = [commits(), pulls()];
    // The commit step is in flight (GitHub answers slowly) when the caller cancels.
    github.failNext({ method: 'PATCH', path: /\/git\/refs\//, delayMs: 1_500 });
    const approved = developer.sendMessage(send([text('approve')], waiting.id));
    await expect.poll(commits, { timeout: 20_000 }).toBe(commitsBefore + 1);
    await developer.cancelTask({ tenant: '', id: waiting.id, metadata: undefined });
    await approved.catch(() => undefined);
    await expect
      .poll(async () => (await developer.getTask({ tenant: '', id: waiting.id })).status?.state, { timeout: 20_000 })
      .toBe(TaskState.TASK_STATE_CANCELED);
    const task = await developer.getTask({ tenant: '', id: waiting.id });
    const run = artifactData(task, 'run') as {
      status: string;
      done: string[];
      undone: string[];
      steps: Array<{ name: string; status: string }>;
    };
    expect(run.status).toBe('canceled');
    expect(run.done).toEqual(['gitops_branch', 'gitops_commit']);
    expect(run.undone).toContain('gitops_branch');
    expect(run.steps.find((step) => step.name === 'gitops_pull_request')?.status).toBe('pending');
    expect(pulls()).toBe(pullsBefore);
    expect(statusText(task).join()).toContain('canceled at a step boundary');
  });

  it("answers bad requests with the spec's error codes", async () => {
    const token = await issuer.sign(issuer.claimsFor('dev-developer'));
    const rpc = async (body: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${supervisor.url}/a2a/jsonrpc`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'a2a-version': '1.0',
          ...headers,
        },
        body,
      });
      return { status: response.status, body: (await response.json()) as { error?: { code: number } } };
    };
    const call = (method: string, params: unknown) => JSON.stringify({ jsonrpc: '2.0', id: 7, method, params });
    expect((await rpc('{"jsonrpc": "2.0", "id": 1, "method": ')).body.error?.code).toBe(-32700);
    expect((await rpc(call('NoSuchMethod', {}))).body.error?.code).toBe(-32601);
    expect((await rpc(call('GetTask', { id: 'no-such-task' }))).body.error?.code).toBe(-32001);
    expect((await rpc(call('ListTasks', {}), { 'a2a-version': '9.9' })).body.error?.code).toBe(-32009);
    expect((await rpc(call('ListTasks', {}), { 'content-type': 'text/plain' })).body.error?.code).toBe(-32005);
  });

  it('lets the caller subscribe again to a task and see its state', async () => {
    const developer = await clientFor('dev-developer');
    const waiting = asTask(await developer.sendMessage(send([topic('payments', 'payments.subscribe.v1')])));
    const events: StreamResponse[] = [];
    for await (const event of developer.resubscribeTask({ tenant: '', id: waiting.id })) {
      events.push(event);
      if (events.length === 1) break;
    }
    expect(events[0]!.payload?.$case).toBe('task');
    expect((events[0]!.payload!.value as Task).status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
  });

  it('keeps v0.3 clients working: their card and message/send on the same endpoint', async () => {
    const legacyCard = (await (await fetch(`${supervisor.url}/.well-known/agent-card.json`)).json()) as {
      protocolVersion: string;
      url: string;
      skills: Array<{ id: string }>;
    };
    expect(legacyCard.protocolVersion).toBe('0.3');
    expect(legacyCard.url).toBe(`${supervisor.url}/a2a/jsonrpc`);
    expect(legacyCard.skills.map((skill) => skill.id)).toContain('create_kafka_topic');

    const token = await issuer.sign(issuer.claimsFor('dev-developer'));
    const response = await fetch(`${supervisor.url}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'message/send',
        params: {
          message: {
            kind: 'message',
            messageId: randomUUID(),
            role: 'user',
            parts: [
              {
                kind: 'data',
                data: {
                  skill: 'create_kafka_topic',
                  arguments: { team: 'payments', topic: { name: 'payments.legacy.v1' } },
                },
              },
            ],
          },
        },
      }),
    });
    const answer = (await response.json()) as {
      result: { kind: string; status: { state: string }; artifacts: Array<{ artifactId: string }> };
    };
    expect(answer.result.kind).toBe('task');
    expect(answer.result.status.state).toBe('input-required');
    expect(answer.result.artifacts.map((artifact) => artifact.artifactId)).toEqual(['plan']);
  });

  it('answers a free-text request honestly when no model is configured', async () => {
    const developer = await clientFor('dev-developer');
    const answer = asTask(await developer.sendMessage(send([text('find services without an on-call schedule')])));
    expect(answer.status?.state).toBe(TaskState.TASK_STATE_REJECTED);
    expect(statusText(answer).join()).toContain('no LLM endpoint is configured on this supervisor');
    expect(statusText(answer).join()).toContain('AGENT_LLM');
  });

  it('answers a repeated message id with the task it started instead of a second task', async () => {
    const developer = await clientFor('dev-developer');
    const request = send([topic('payments', 'payments.retry.v1')]);
    const first = asTask(await developer.sendMessage(request));
    const again = asTask(await developer.sendMessage(request));
    expect(again.id).toBe(first.id);
  });
});
