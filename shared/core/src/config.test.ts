import { describe, expect, it } from 'vitest';
import { fakeTool } from '../test/tools.ts';
import { ConfigError, loadEnv, selectTools } from './config.ts';
import { redactText } from './redact.ts';

const module = {
  name: 'demo',
  env: {
    DEMO_TOKEN: { description: 'API token for Demo', secret: true, required: true },
    DEMO_URL: { description: 'Base URL', default: 'https://demo.example', format: 'url' as const },
  },
  toolsets: { things: 'things', admin: 'admin things' },
};

describe('loadEnv', () => {
  it('names a missing required variable and the sandbox alternative', () => {
    expect(() => loadEnv(module, {}, { sandbox: false })).toThrow(
      'demo: DEMO_TOKEN is not set: API token for Demo (or run with --sandbox to try demo without it)',
    );
  });

  it('needs no credentials in the sandbox and applies defaults', () => {
    expect(loadEnv(module, {}, { sandbox: true })).toEqual({ DEMO_URL: 'https://demo.example' });
  });

  it('checks formats and registers secrets for redaction', () => {
    expect(() => loadEnv(module, { DEMO_TOKEN: 'tok-123456', DEMO_URL: 'ftp://x' }, { sandbox: false })).toThrow(
      /DEMO_URL must be an http\(s\) URL/,
    );
    loadEnv(module, { DEMO_TOKEN: 'tok-registered-secret' }, { sandbox: false });
    expect(redactText('sent tok-registered-secret')).toBe('sent [REDACTED]');
  });
});

describe('selectTools', () => {
  const tools = [
    fakeTool('list_things', 'read', 'things'),
    fakeTool('make_thing', 'write', 'things'),
    fakeTool('drop_all', 'admin', 'admin'),
  ];

  it('drops every non-read tool in read-only mode', () => {
    expect(selectTools(module, tools, { readOnly: true }).map((tool) => tool.name)).toEqual(['list_things']);
  });

  it('applies toolset and tool allow lists', () => {
    expect(selectTools(module, tools, { toolsets: ['admin'] }).map((tool) => tool.name)).toEqual(['drop_all']);
    expect(selectTools(module, tools, { tools: ['make_thing'] }).map((tool) => tool.name)).toEqual(['make_thing']);
  });

  it("starts from the module's default toolsets, and 'all' switches every one on", () => {
    const withDefaults = { ...module, defaultToolsets: ['things'] };
    expect(selectTools(withDefaults, tools, {}).map((tool) => tool.name)).toEqual(['list_things', 'make_thing']);
    expect(selectTools(withDefaults, tools, { toolsets: ['all'] })).toHaveLength(3);
    expect(selectTools(withDefaults, tools, { tools: ['drop_all'] }).map((tool) => tool.name)).toEqual(['drop_all']);
  });

  it('stops on unknown names and lists the valid ones', () => {
    expect(() => selectTools(module, tools, { toolsets: ['nope'] })).toThrow(
      new ConfigError('--toolsets: demo has no toolset nope; choose from things, admin'),
    );
    expect(() => selectTools(module, tools, { tools: ['nope'] })).toThrow(
      /--tools: demo has no tool nope; choose from list_things/,
    );
  });
});
