import { parseFlags, type StartedServer, silentLogger, startServer } from '@idp-mcp/core';
import { shippedPolicyGate, textOf } from '@idp-mcp/testing/mcp';
import { connectWithToken, type KeycloakIssuer, startKeycloakIssuer } from '@idp-mcp/testing/oidc';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformModule } from '../src/index.ts';

const errorCode = (result: { _meta?: Record<string, unknown> }) =>
  (result._meta?.['idp-mcp/error'] as { code?: string } | undefined)?.code;

/** The platform behind the realm: each token's subject is the caller the gateway limits and audits. */
describe('the platform with callers from the realm', () => {
  let issuer: KeycloakIssuer;
  let platform: StartedServer;
  const clients: Client[] = [];
  const connect = async (username: string) => {
    const client = await connectWithToken(platform.url!, await issuer.sign(issuer.claimsFor(username)));
    clients.push(client);
    return client;
  };
  const createIssue = (client: Client, title: string) =>
    client.callTool({
      name: 'call_tool',
      arguments: { name: 'github_create_issue', arguments: { owner: 'acme', repo: 'platform-docs', title } },
    });

  beforeAll(async () => {
    issuer = await startKeycloakIssuer();
    platform = await startServer(
      platformModule,
      parseFlags(['--sandbox', '--transport', 'http', '--port', '0']),
      { IDP_MCP_STATE: ':memory:', PLATFORM_RATE_LIMIT: '3', IDP_MCP_OIDC_ISSUER: issuer.issuer },
      shippedPolicyGate,
      silentLogger,
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await platform?.close();
    await issuer?.close();
  });

  it('refuses a viewer a write with forbidden and hides the admin tools from a developer', async () => {
    const viewer = await connect('vera-viewer');
    const refused = await createIssue(viewer, 'not allowed');
    expect(errorCode(refused)).toBe('forbidden');
    expect(textOf(refused)).toContain('needs the write tier; your roles grant read');

    const developer = await connect('dev-developer');
    const names = (await developer.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('create_service');
    expect(names).not.toContain('query_audit');
    expect(
      errorCode(await developer.callTool({ name: 'call_tool', arguments: { name: 'query_audit', arguments: {} } })),
    ).toBe('forbidden');
  });

  it("audits a write under the token's subject and keeps one rate-limit bucket per caller", async () => {
    const developer = await connect('dev-developer');
    const admin = await connect('ada-admin');
    // The developer's bucket (3 a minute) empties; the admin's is untouched.
    expect((await createIssue(developer, 'Requested through the realm')).isError).toBeFalsy();
    expect((await createIssue(developer, 'second')).isError).toBeFalsy();
    expect(errorCode(await createIssue(developer, 'one too many'))).toBe('rate_limited');

    const audit = await admin.callTool({ name: 'query_audit', arguments: { tool: 'github_create_issue' } });
    expect(audit.isError).toBeFalsy();
    const entries = (audit.structuredContent as { entries: Array<Record<string, unknown>> }).entries;
    const developerSub = issuer.claimsFor('dev-developer').sub;
    expect(entries.map((entry) => entry.caller)).toContain(developerSub);
    expect(entries.every((entry) => entry.caller !== 'local')).toBe(true);
  });
});

describe('self-service behind the realm', () => {
  let issuer: KeycloakIssuer;
  let platform: StartedServer;
  let admin: Client;

  beforeAll(async () => {
    issuer = await startKeycloakIssuer();
    platform = await startServer(
      platformModule,
      parseFlags(['--sandbox', '--transport', 'http', '--port', '0']),
      { IDP_MCP_STATE: ':memory:', IDP_MCP_OIDC_ISSUER: issuer.issuer },
      shippedPolicyGate,
      silentLogger,
    );
    admin = await connectWithToken(platform.url!, await issuer.sign(issuer.claimsFor('ada-admin')));
  });
  afterAll(async () => {
    await admin?.close();
    await platform?.close();
    await issuer?.close();
  });

  it('names who asked, by username and subject, in the pull request self-service opens', async () => {
    const planned = await admin.callTool({
      name: 'create_kafka_topic',
      arguments: { team: 'payments', topic: { name: 'payments.audit.v1' } },
    });
    const { plan_id } = planned.structuredContent as { plan_id: string };
    const run = await admin.callTool({ name: 'apply_plan', arguments: { plan_id } });
    expect((run.structuredContent as { status: string }).status).toBe('succeeded');
    const viaCallTool = async (name: string, args: Record<string, unknown>) =>
      (
        (await admin.callTool({ name: 'call_tool', arguments: { name, arguments: args } })).structuredContent as {
          result: Record<string, unknown>;
        }
      ).result;
    const { pull_requests } = (await viaCallTool('github_list_pull_requests', { owner: 'acme', repo: 'gitops' })) as {
      pull_requests: Array<{ number: number; title: string }>;
    };
    const pull = pull_requests.find((candidate) => candidate.title.includes('payments.audit.v1'));
    expect(pull).toBeDefined();
    const { body } = (await viaCallTool('github_get_pull_request', {
      owner: 'acme',
      repo: 'gitops',
      pull_number: pull!.number,
    })) as { body: string };
    expect(body).toContain(`Requested by ada-admin (${issuer.claimsFor('ada-admin').sub})`);
  });
});
