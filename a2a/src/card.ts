import type { AgentCard, AgentSkill, SecurityRequirement, SecurityScheme } from '@a2a-js/sdk';
import { duplicateInterfacesForLegacy } from '@a2a-js/sdk/compat/v0_3';
import { type AnyTool, type Caller, SERVER_VERSION, tierAllows } from '@idp-mcp/core';
import * as z from 'zod';

/** The free-text skill: served by the bundled headless agent, which this version does not have yet. */
export const OPERATE_SKILL = 'operate_platform';

/** The self-service capabilities the supervisor offers as skills: each is the platform tool of that name. */
export const SELF_SERVICE_SKILLS: Record<string, { tags: string[]; examples: Array<Record<string, unknown>> }> = {
  create_service: {
    tags: ['service', 'golden-path', 'gitops'],
    examples: [
      { name: 'order-api', team: 'payments', description: 'Takes orders' },
      {
        name: 'refund-worker',
        team: 'payments',
        description: 'Processes refunds',
        environment: 'staging',
        kafka_topic: { name: 'payments.refunds.v1' },
      },
    ],
  },
  create_kafka_topic: {
    tags: ['kafka', 'gitops'],
    examples: [{ team: 'payments', topic: { name: 'payments.audit.v1', partitions: 6, retention_hours: 72 } }],
  },
  onboard_team: {
    tags: ['team', 'kubernetes', 'namespace'],
    examples: [{ team: 'checkout' }, { team: 'search', cpu: '8', memory: '16Gi', pods: 100 }],
  },
  provision_database: {
    tags: ['database', 'terraform', 'rds'],
    examples: [{ name: 'orders', team: 'payments', engine: 'postgres', size: 'small', environment: 'dev' }],
  },
  provision_bucket: {
    tags: ['bucket', 's3', 'terraform', 'irsa'],
    examples: [{ name: 'invoices', team: 'payments', environment: 'prod', data_class: 'archive', access: 'read' }],
  },
  create_repo: {
    tags: ['repository', 'github', 'golden-path'],
    examples: [{ name: 'billing-worker', team: 'payments', description: 'Bills customers nightly' }],
  },
};

/** The extension whose params carry each skill's input as JSON Schema (a skill has no field for it). */
export const SKILL_SCHEMAS_EXTENSION = 'https://idp-mcp.dev/a2a/skill-input-schemas/v1';

export interface CardOptions {
  /** Where the supervisor is reached, e.g. https://a2a.example.com (no trailing slash). */
  baseUrl: string;
  /** The Keycloak realm URL when callers authenticate; absent on a loopback-only supervisor. */
  issuer?: string;
  /** The scope a token must carry. */
  scope: string;
  /** The platform's tools: a skill is listed only when its tool is there. */
  tools: AnyTool[];
  /** The bundled agent's model (`anthropic claude-...`), when one is configured. */
  agent?: string;
}

export const JSONRPC_PATH = '/a2a/jsonrpc';
export const REST_PATH = '/a2a/rest';

function inputSchema(tool: AnyTool): Record<string, unknown> {
  const { $schema: _uri, ...schema } = z.toJSONSchema(tool.input, { io: 'input' }) as Record<string, unknown>;
  return schema;
}

/** One line per argument, from the tool's own input schema: what a caller must send. */
function describeInput(schema: Record<string, unknown>): string {
  const properties = (schema.properties ?? {}) as Record<string, { type?: string; description?: string }>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties)
    .map(
      ([name, property]) =>
        `${name}${required.has(name) ? '' : '?'} (${property.type ?? 'value'})${property.description ? `: ${property.description}` : ''}`,
    )
    .join('; ');
}

function skillOf(tool: AnyTool): AgentSkill {
  const spec = SELF_SERVICE_SKILLS[tool.name]!;
  return {
    id: tool.name,
    name: tool.title,
    description: `${tool.description} Send one data part {"skill": "${tool.name}", "arguments": {...}}; arguments: ${describeInput(inputSchema(tool))}. The first turn returns the plan and its policy verdict and asks for approval (input-required); reply on the task with a data part {"approve": true} (or false) or the text "approve" / "reject".`,
    tags: ['self-service', ...spec.tags],
    examples: spec.examples.map((args) => JSON.stringify({ skill: tool.name, arguments: args })),
    inputModes: ['application/json'],
    outputModes: ['application/json', 'text/plain'],
    securityRequirements: [],
  };
}

const operate = (agent: string | undefined): AgentSkill => ({
  id: OPERATE_SKILL,
  name: 'Operate the platform',
  description: agent
    ? `Free-text requests ("which services of team payments have no on-call schedule?", "create the Kafka topic payments.audit.v1") served by the bundled headless agent (${agent}) through the platform's tools, as the caller. Each step is a status update; a change it plans waits for approval (input-required, then {"approve": true}) unless the operator allows that kind.`
    : 'Free-text requests served by the bundled headless agent. No LLM endpoint is configured on this supervisor, so such a request is answered as rejected, saying so; use the structured self-service skills.',
  tags: ['free-text', 'agent'],
  examples: ['Which services in team payments have no on-call schedule?'],
  inputModes: ['text/plain'],
  outputModes: ['text/plain'],
  securityRequirements: [],
});

function securityOf(options: CardOptions): {
  securitySchemes: Record<string, SecurityScheme>;
  securityRequirements: SecurityRequirement[];
} {
  if (!options.issuer) return { securitySchemes: {}, securityRequirements: [] };
  const discovery = `${options.issuer}/.well-known/openid-configuration`;
  const scopes = { list: [options.scope] };
  return {
    securitySchemes: {
      keycloak: {
        scheme: {
          $case: 'openIdConnectSecurityScheme',
          value: { description: 'Keycloak realm (OpenID Connect discovery)', openIdConnectUrl: discovery },
        },
      },
      'keycloak-client-credentials': {
        scheme: {
          $case: 'oauth2SecurityScheme',
          value: {
            description: 'Machines: OAuth client credentials of a confidential client of the Keycloak realm',
            oauth2MetadataUrl: discovery,
            flows: {
              flow: {
                $case: 'clientCredentials',
                value: {
                  tokenUrl: `${options.issuer}/protocol/openid-connect/token`,
                  refreshUrl: '',
                  scopes: { [options.scope]: 'operate the internal developer platform' },
                },
              },
            },
          },
        },
      },
    },
    securityRequirements: [{ schemes: { keycloak: scopes } }, { schemes: { 'keycloak-client-credentials': scopes } }],
  };
}

/** The public agent card at /.well-known/agent-card.json. */
export function agentCard(options: CardOptions): AgentCard {
  const tools = options.tools.filter((tool) => tool.name in SELF_SERVICE_SKILLS);
  return {
    name: 'idp-mcp platform supervisor',
    description:
      'Operates the internal developer platform for other agents: golden-path self-service (services, Kafka topics, teams, databases, repositories) as plan -> approve -> apply, with the platform policy gate, runs and audit. Every action is a platform tool call made as the caller.',
    // The same endpoints also speak v0.3 (the SDK's compatibility layer), which the card must declare.
    supportedInterfaces: duplicateInterfacesForLegacy(
      [
        { url: `${options.baseUrl}${JSONRPC_PATH}`, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' },
        { url: `${options.baseUrl}${REST_PATH}`, protocolBinding: 'HTTP+JSON', protocolVersion: '1.0', tenant: '' },
      ],
      ['JSONRPC', 'HTTP+JSON'],
    ),
    provider: { organization: 'idp-mcp', url: options.baseUrl },
    version: SERVER_VERSION,
    capabilities: {
      streaming: true,
      pushNotifications: true,
      extendedAgentCard: true,
      extensions: [
        {
          uri: SKILL_SCHEMAS_EXTENSION,
          description: "Each self-service skill's arguments as JSON Schema (draft 2020-12), by skill id",
          required: false,
          params: Object.fromEntries(tools.map((tool) => [tool.name, inputSchema(tool)])),
        },
      ],
    },
    ...securityOf(options),
    defaultInputModes: ['application/json', 'text/plain'],
    defaultOutputModes: ['application/json', 'text/plain'],
    skills: [...tools.map(skillOf), operate(options.agent)],
    signatures: [],
  };
}

/** The card an authenticated caller gets: only the skills their roles allow, and who they are. */
export function extendedCard(card: AgentCard, caller: Caller, tools: AnyTool[]): AgentCard {
  const allowed = new Set(tools.filter((tool) => tierAllows(caller.tier, tool.tier)).map((tool) => tool.name));
  const skills = card.skills.filter((skill) => skill.id === OPERATE_SKILL || allowed.has(skill.id));
  const who = caller.username ?? caller.id;
  return {
    ...card,
    description: `${card.description} For ${who} (roles ${caller.roles.join(', ') || 'none'}, tier ${caller.tier}): ${
      skills.length > 1
        ? `may use ${skills
            .filter((skill) => skill.id !== OPERATE_SKILL)
            .map((skill) => skill.id)
            .join(', ')}.`
        : 'may use no self-service skill (they need the developer role).'
    }`,
    skills,
  };
}
