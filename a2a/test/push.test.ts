import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role, type Task, TaskState } from '@a2a-js/sdk';
import { type Client, ClientFactory, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import { silentLogger } from '@idp-mcp/core';
import { shippedPolicyGate } from '@idp-mcp/testing/mcp';
import { bearerFetch, type KeycloakIssuer, startKeycloakIssuer } from '@idp-mcp/testing/oidc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSupervisor, startSupervisor } from '../src/index.ts';
import { isInternalAddress } from '../src/push.ts';

const topicRequest = (name: string, push?: { url: string; credentials: string }) => ({
  tenant: '',
  message: {
    messageId: randomUUID(),
    contextId: '',
    taskId: '',
    role: Role.ROLE_USER,
    parts: [
      {
        content: {
          $case: 'data' as const,
          value: { skill: 'create_kafka_topic', arguments: { team: 'payments', topic: { name } } },
        },
        mediaType: 'application/json',
        filename: '',
        metadata: undefined,
      },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  },
  configuration: push
    ? {
        acceptedOutputModes: [],
        returnImmediately: false,
        taskPushNotificationConfig: {
          tenant: '',
          id: '',
          taskId: '',
          url: push.url,
          token: '',
          authentication: { scheme: 'Bearer', credentials: push.credentials },
        },
      }
    : undefined,
  metadata: undefined,
});

describe('push notifications', () => {
  let issuer: KeycloakIssuer;
  let supervisor: RunningSupervisor;
  let receiver: Server;
  let receiverUrl: string;
  const received: Array<{ headers: IncomingHttpHeaders; body: Record<string, unknown> }> = [];
  let client: Client;

  beforeAll(async () => {
    issuer = await startKeycloakIssuer();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(body) as Record<string, unknown> });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    supervisor = await startSupervisor({
      env: { IDP_MCP_STATE: ':memory:', IDP_MCP_OIDC_ISSUER: issuer.issuer, A2A_PUSH_ALLOWED_HOSTS: '127.0.0.1' },
      sandbox: true,
      host: '127.0.0.1',
      port: 0,
      role: 'developer',
      gate: shippedPolicyGate,
      log: silentLogger,
    });
    const token = await issuer.sign(issuer.claimsFor('dev-developer'));
    const fetchImpl = bearerFetch(token);
    client = await new ClientFactory({ transports: [new JsonRpcTransportFactory({ fetchImpl })] }).createFromUrl(
      supervisor.url,
    );
  });
  afterAll(async () => {
    await supervisor?.close();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    await issuer?.close();
  });

  it("delivers a task's events to its receiver, in order, with the receiver's credentials", async () => {
    const task = (await client.sendMessage(
      topicRequest('payments.pushed.v1', { url: receiverUrl, credentials: 'receiver-secret' }),
    )) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const deadline = Date.now() + 10_000;
    const last = () => JSON.stringify(received.at(-1)?.body ?? {});
    while (!last().includes('TASK_STATE_INPUT_REQUIRED') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(received.every((entry) => entry.headers.authorization === 'Bearer receiver-secret')).toBe(true);
    expect(received[0]!.headers['content-type']).toBe('application/a2a+json');
    expect(Object.keys(received[0]!.body)).toEqual(['task']);
    expect(last()).toContain('TASK_STATE_INPUT_REQUIRED');

    const configs = await client.listTaskPushNotificationConfig({
      tenant: '',
      taskId: task.id,
      pageSize: 10,
      pageToken: '',
    });
    expect(configs.configs.map((config) => config.url)).toEqual([receiverUrl]);
    await client.deleteTaskPushNotificationConfig({ tenant: '', taskId: task.id, id: configs.configs[0]!.id });
    expect(
      (await client.listTaskPushNotificationConfig({ tenant: '', taskId: task.id, pageSize: 10, pageToken: '' }))
        .configs,
    ).toEqual([]);
  });

  it('refuses receivers on internal addresses or without https, naming the field', async () => {
    const task = (await client.sendMessage(topicRequest('payments.guarded.v1'))) as Task;
    for (const [url, why] of [
      ['https://169.254.169.254/latest/meta-data/', 'is an internal address (169.254.169.254)'],
      ['https://localhost:8443/hook', 'is an internal address'],
      ['https://[::ffff:10.0.0.1]/hook', 'is an internal address'],
      ['http://hooks.example.com/hook', 'url: must use https'],
    ] as const) {
      await expect(
        client.createTaskPushNotificationConfig({
          tenant: '',
          id: '',
          taskId: task.id,
          url,
          token: '',
          authentication: undefined,
        }),
      ).rejects.toThrow(why);
    }
    expect(isInternalAddress('8.8.8.8')).toBe(false);
    expect(isInternalAddress('fd00::1')).toBe(true);
  });
});
