import { createHmac, createPublicKey } from 'node:crypto';
import {
  ConfigError,
  createLogger,
  DESTRUCTIVE,
  defineTool,
  type PolicyGate,
  parseFlags,
  READ,
  type ServerModule,
  type StartedServer,
  startServer,
  WRITE,
} from '@idp-mcp/core';
import { Client, ClientCredentialsProvider, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { connectWithOAuth, connectWithToken, type KeycloakIssuer, startKeycloakIssuer } from '../src/oidc/index.ts';

/** One tool per tier, so each role's reach shows. */
const notesModule: ServerModule = {
  name: 'notes',
  title: 'Notes',
  description: 'A server for testing identity.',
  toolsets: { notes: 'notes' },
  env: {},
  async start() {
    const tool = (name: string, tier: 'read' | 'write' | 'admin') =>
      defineTool({
        name,
        title: name,
        description: `A ${tier} tool.`,
        toolset: 'notes',
        tier,
        annotations: tier === 'read' ? READ : tier === 'write' ? WRITE : DESTRUCTIVE,
        input: z.object({}),
        output: z.object({ caller: z.string() }),
        handler: async (_args, ctx) => ({ caller: ctx.caller.id }),
      });
    return {
      upstream: { mode: 'sandbox', url: 'http://notes.invalid' },
      close: async () => {},
      tools: [tool('read_note', 'read'), tool('write_note', 'write'), tool('drop_notes', 'admin')],
    };
  },
};
const allowAll: PolicyGate = { check: async () => ({ allowed: true, violations: [], gate: 'none (identity tests)' }) };

describe('an HTTP server protected by the realm', () => {
  let issuer: KeycloakIssuer;
  let server: StartedServer;
  let base: string;
  const logs: string[] = [];

  beforeAll(async () => {
    issuer = await startKeycloakIssuer();
    server = await startServer(
      notesModule,
      parseFlags(['--transport', 'http', '--port', '0']),
      { IDP_MCP_OIDC_ISSUER: issuer.issuer },
      allowAll,
      createLogger('notes', { level: 'debug', write: (line) => logs.push(line) }),
    );
    base = server.url!.replace(/\/mcp$/, '');
  });
  afterAll(async () => {
    await server?.close();
    await issuer?.close();
  });

  const post = (headers: Record<string, string> = {}, path = '/mcp') =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const tokenFor = (username: string, overrides = {}) => issuer.sign(issuer.claimsFor(username, overrides));

  it('answers a request without a token with 401 and the protected resource metadata URL', async () => {
    const response = await post();
    expect(response.status).toBe(401);
    const metadataUrl = `${base}/.well-known/oauth-protected-resource/mcp`;
    expect(response.headers.get('www-authenticate')).toContain(`resource_metadata="${metadataUrl}"`);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);

    for (const url of [metadataUrl, `${base}/.well-known/oauth-protected-resource`]) {
      expect(await (await fetch(url)).json()).toEqual({
        resource: `${base}/mcp`,
        authorization_servers: [issuer.issuer],
        scopes_supported: ['idp-mcp'],
        resource_name: 'idp-mcp',
      });
    }
  });

  it('refuses every bad token with 401 and keeps serving', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = await tokenFor('dev-developer');
    const [header, payload] = good.split('.');
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = issuer.claimsFor('dev-developer');
    const publicPem = createPublicKey({ key: issuer.publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const hsHeader = b64({ alg: 'HS256', typ: 'JWT', kid: issuer.publicJwk.kid });
    const hsSignature = createHmac('sha256', publicPem)
      .update(`${hsHeader}.${b64(claims)}`)
      .digest('base64url');

    const refused: Record<string, string> = {
      expired: await tokenFor('dev-developer', { iat: now - 900, exp: now - 120 }),
      'not yet valid': await tokenFor('dev-developer', { nbf: now + 300 }),
      'wrong issuer': await tokenFor('dev-developer', { iss: 'http://127.0.0.1:1/realms/other' }),
      'wrong audience': await tokenFor('dev-developer', { aud: 'another-service' }),
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      'HS256 signed with the public key': `${hsHeader}.${b64(claims)}.${hsSignature}`,
      'unknown kid': await issuer.sign(claims, { key: 'unknown' }),
      'tampered payload': `${header}.${b64({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), realm_access: { roles: ['platform-admin'] } })}.${good.split('.')[2]}`,
      'an ID token': await tokenFor('dev-developer', { typ: 'ID' }),
      'not a JWT': 'opaque-token-value',
    };
    for (const [why, token] of Object.entries(refused)) {
      const response = await post(bearer(token));
      expect(response.status, why).toBe(401);
      expect(response.headers.get('www-authenticate'), why).toContain('error="invalid_token"');
    }
    expect((await post(bearer(good))).status).toBe(200);

    const inQuery = await post({}, `/mcp?access_token=${good}`);
    expect(inQuery.status).toBe(400);
    expect(await inQuery.text()).toContain('query string is refused');

    expect((await post(bearer(good))).status).toBe(200);
    const logged = logs.join('\n');
    for (const token of [good, ...Object.values(refused)]) expect(logged).not.toContain(token);
  });

  it('refuses a token without the idp-mcp scope with 403 insufficient_scope', async () => {
    const response = await post(bearer(await tokenFor('dev-developer', { scope: 'profile email' })));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(response.headers.get('www-authenticate')).toContain('scope="idp-mcp"');
  });

  it('refuses a realm user with none of the roles', async () => {
    const response = await post(bearer(await tokenFor('nora-nobody')));
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('nora-nobody has none of the roles');
  });

  it('shows and allows each role only its tiers', async () => {
    const tools = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name);
    const viewer = await connectWithToken(server.url!, await tokenFor('vera-viewer'));
    expect(await tools(viewer)).toEqual(['read_note']);
    // A tool above the caller's tier does not exist for it (call_tool on the platform answers `forbidden`).
    await expect(viewer.callTool({ name: 'write_note', arguments: {} })).rejects.toMatchObject({ code: -32602 });

    const developer = await connectWithToken(server.url!, await tokenFor('dev-developer'));
    expect(await tools(developer)).toEqual(['read_note', 'write_note']);
    const wrote = await developer.callTool({ name: 'write_note', arguments: {} });
    expect(wrote.structuredContent).toEqual({ caller: issuer.claimsFor('dev-developer').sub });

    const admin = await connectWithToken(server.url!, await tokenFor('ada-admin'));
    expect(await tools(admin)).toEqual(['read_note', 'write_note', 'drop_notes']);
    expect((await admin.callTool({ name: 'drop_notes', arguments: {} })).isError).toBeFalsy();
    await Promise.all([viewer.close(), developer.close(), admin.close()]);
  });

  it('lets a desktop client sign in with code + PKCE after registering itself', async () => {
    const { client, provider } = await connectWithOAuth(server.url!, issuer, 'dev-developer');
    expect(provider.registered?.client_id).toBeTruthy();
    expect(provider.registered?.client_id).not.toBe('idp-mcp-desktop');
    const token = JSON.parse(Buffer.from(provider.tokens()!.access_token.split('.')[1]!, 'base64url').toString());
    expect(token).toMatchObject({
      iss: issuer.issuer,
      aud: 'idp-mcp',
      scope: 'idp-mcp',
      preferred_username: 'dev-developer',
      realm_access: { roles: expect.arrayContaining(['developer', 'viewer']) },
    });
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(['read_note', 'write_note']);
    expect((await client.callTool({ name: 'write_note', arguments: {} })).structuredContent).toEqual({
      caller: token.sub,
    });
    await client.close();
  });

  it('lets the A2A supervisor in with its client credentials', async () => {
    const client = new Client({ name: 'supervisor', version: '1.0.0' });
    const authProvider = new ClientCredentialsProvider({
      clientId: 'idp-a2a-supervisor',
      clientSecret: issuer.clientSecret('idp-a2a-supervisor'),
      expectedIssuer: issuer.issuer,
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url!), { authProvider }));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['read_note', 'write_note']);
    expect((await client.callTool({ name: 'write_note', arguments: {} })).structuredContent).toEqual({
      caller: 'idp-a2a-supervisor',
    });
    await client.close();
  });
});

describe('the realm keys', () => {
  it('are fetched once, again for an unknown key id, and at most every 30 s', async () => {
    const issuer = await startKeycloakIssuer();
    const server = await startServer(
      notesModule,
      parseFlags(['--transport', 'http', '--port', '0']),
      { IDP_MCP_OIDC_ISSUER: issuer.issuer },
      allowAll,
    );
    const status = async (token: string) =>
      (
        await fetch(server.url!, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
        })
      ).status;
    const token = () => issuer.sign(issuer.claimsFor('dev-developer'));
    try {
      expect(await status(await token())).toBe(200);
      expect(await status(await token())).toBe(200);
      expect(issuer.jwksFetches()).toBe(1);

      // Keycloak rotates its key: the first token signed with it arrives while the cache is young, and a
      // flood of unknown key ids must not turn into a flood of fetches.
      await issuer.rotateKey();
      const rotated = await token();
      expect(await status(rotated)).toBe(401);
      expect(await status(await issuer.sign(issuer.claimsFor('dev-developer'), { key: 'unknown' }))).toBe(401);
      expect(issuer.jwksFetches()).toBe(1);

      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 31_000);
      expect(await status(rotated)).toBe(200);
      expect(issuer.jwksFetches()).toBe(2);
    } finally {
      vi.useRealTimers();
      await server.close();
      await issuer.close();
    }
  });
});

describe('a server behind an ingress', () => {
  it('names its public URL as the resource and accepts tokens issued for it', async () => {
    const issuer = await startKeycloakIssuer();
    const server = await startServer(
      notesModule,
      parseFlags(['--transport', 'http', '--port', '0']),
      { IDP_MCP_OIDC_ISSUER: issuer.issuer, IDP_MCP_RESOURCE_URL: 'https://mcp.example.com/notes/mcp' },
      allowAll,
    );
    try {
      const base = server.url!.replace(/\/mcp$/, '');
      const refused = await fetch(server.url!, { method: 'POST' });
      expect(refused.headers.get('www-authenticate')).toContain(
        'resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/notes/mcp"',
      );
      const metadata = await (await fetch(`${base}/.well-known/oauth-protected-resource/notes/mcp`)).json();
      expect(metadata).toMatchObject({ resource: 'https://mcp.example.com/notes/mcp' });
      const forResource = await issuer.sign(
        issuer.claimsFor('ada-admin', { aud: 'https://mcp.example.com/notes/mcp' }),
      );
      const client = await connectWithToken(server.url!, forResource);
      expect((await client.listTools()).tools).toHaveLength(3);
      await client.close();
    } finally {
      await server.close();
      await issuer.close();
    }
  });
});

describe('failing closed', () => {
  const logs: string[] = [];
  const start = (args: string[], env: Record<string, string> = {}) =>
    startServer(
      notesModule,
      parseFlags(['--transport', 'http', '--port', '0', ...args]),
      env,
      allowAll,
      createLogger('notes', { write: (line) => logs.push(line) }),
    );

  it('refuses a network bind without an identity provider unless told loudly', async () => {
    await expect(start(['--host', '0.0.0.0', '--allowed-hosts', 'mcp.example.com'])).rejects.toThrow(
      /not a loopback address and no identity provider is configured: set IDP_MCP_OIDC_ISSUER/,
    );
    const open = await start([
      '--host',
      '0.0.0.0',
      '--allowed-hosts',
      'mcp.example.com',
      '--dangerously-allow-unauthenticated',
    ]);
    await open.close();
    expect(logs.join('\n')).toContain('serving HTTP on a network address WITHOUT authentication');
  });

  it('needs the public resource URL for a network bind with an identity provider', async () => {
    await expect(
      start(['--host', '0.0.0.0', '--allowed-hosts', 'mcp.example.com'], {
        IDP_MCP_OIDC_ISSUER: 'https://keycloak.example.com/realms/idp',
      }),
    ).rejects.toThrow(/IDP_MCP_RESOURCE_URL is not set/);
  });

  it('names the variable when the realm cannot be discovered or is misconfigured', async () => {
    await expect(start([], { IDP_MCP_OIDC_ISSUER: 'http://127.0.0.1:9/realms/idp' })).rejects.toThrow(
      /IDP_MCP_OIDC_ISSUER: could not discover/,
    );
    await expect(start([], { IDP_MCP_OIDC_ISSUER: 'http://keycloak.example.com/realms/idp' })).rejects.toThrow(
      ConfigError,
    );
    await expect(
      start([], { IDP_MCP_OIDC_ISSUER: 'https://kc.example.com/realms/idp', IDP_MCP_OIDC_ALGORITHMS: 'HS256' }),
    ).rejects.toThrow(/IDP_MCP_OIDC_ALGORITHMS: HS256 is not an asymmetric/);
    await expect(
      start([], { IDP_MCP_OIDC_ISSUER: 'https://kc.example.com/realms/idp', IDP_MCP_OIDC_ROLE_MAP: 'sre=root' }),
    ).rejects.toThrow(/IDP_MCP_OIDC_ROLE_MAP: "sre=root" must be/);
  });
});
