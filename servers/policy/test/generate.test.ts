import { type AnyTool, callerFromRoles, silentLogger, type ToolContext } from '@idp-mcp/core';
import { createPolicyGate } from '@idp-mcp/policy';
import { type ConnectedClient, connectClient } from '@idp-mcp/testing/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyModule } from '../src/index.ts';
import { generationTools, MAX_ATTEMPTS, type Sampler } from '../src/tools/generate.ts';
import { call, readFixture } from './support.ts';

const deployment = readFixture('deployment.yaml');
const latest = deployment.replace(':1.4.2', ':latest');
const tools: AnyTool[] = generationTools(createPolicyGate());
const fixViolations = tools.find((tool) => tool.name === 'fix_violations')!;
const generateConfig = tools.find((tool) => tool.name === 'generate_config')!;

/** A tool context whose client model is a scripted function; records what it was asked. */
function withModel(answers: string[]) {
  const prompts: string[] = [];
  const sample: Sampler = async (request) => {
    prompts.push(request.prompt);
    return answers.shift() ?? '';
  };
  const ctx: ToolContext = {
    signal: new AbortController().signal,
    progress: async () => {},
    caller: callerFromRoles('test', ['viewer']),
    log: silentLogger,
    confirm: async () => undefined,
    sample,
  };
  return { ctx, prompts };
}

describe('without sampling (what clients get today)', () => {
  let mcp: ConnectedClient;
  beforeAll(async () => {
    mcp = await connectClient(policyModule);
  });
  afterAll(() => mcp.close());

  it('fix_violations returns each violation with the change to make, and no config', async () => {
    const result = await call<Record<string, unknown>>(mcp, 'fix_violations', { config: latest });
    expect(result).toEqual({
      status: 'needs_manual_fix',
      sampled: false,
      attempts: 0,
      violations: [expect.objectContaining({ rule: 'K8S-010', line: 25 })],
      warnings: [],
      fixes: [
        {
          rule: 'K8S-010',
          field: 'spec.template.spec.containers[0].image',
          line: 25,
          fix: expect.stringContaining('pin a version tag'),
        },
      ],
    });
  });

  it('fix_violations says when there is nothing to fix', async () => {
    expect(await call(mcp, 'fix_violations', { config: deployment })).toMatchObject({
      status: 'compliant',
      attempts: 0,
    });
  });

  it('generate_config returns the rules a config must meet', async () => {
    const result = await call<{ status: string; requirements: string }>(mcp, 'generate_config', {
      request: 'a topic for refunds',
      domain: 'kafka',
    });
    expect(result.status).toBe('needs_sampling');
    expect(result.requirements).toContain('- KAFKA-006 (deny): Topic names follow <domain>.<name>.<version>');
  });
});

describe('with a client model (sampling)', () => {
  it('returns a fix only after it passes re-validation', async () => {
    const { ctx, prompts } = withModel([`\`\`\`yaml\n${deployment}\`\`\``]);
    const result = await fixViolations.handler({ config: latest }, ctx);
    expect(result).toMatchObject({ status: 'fixed', sampled: true, attempts: 1, violations: [] });
    expect(result.config).toBe(deployment.trim());
    expect(prompts[0]).toContain('[K8S-010] spec.template.spec.containers[0].image');
  });

  it('reports a model that does not fix it as still violating, with what remains', async () => {
    const { ctx, prompts } = withModel(['not: [valid', latest]);
    const result = await fixViolations.handler({ config: latest }, ctx);
    expect(result).toMatchObject({ status: 'still_violating', attempts: MAX_ATTEMPTS, config: latest.trim() });
    expect((result.violations as Array<{ rule: string }>).map((v) => v.rule)).toEqual(['K8S-010']);
    expect(prompts[1]).toMatch(/could not be parsed \(YAML document 1/);
  });

  it('falls back to describing the fix when the client declines to sample', async () => {
    const { ctx } = withModel([]);
    ctx.sample = async () => undefined;
    const result = await fixViolations.handler({ config: latest }, ctx);
    expect(result).toMatchObject({ status: 'needs_manual_fix', sampled: false, fixes: [{ rule: 'K8S-010' }] });
  });

  it('generates config, feeding violations back to the model', async () => {
    const bad =
      'apiVersion: kafka.strimzi.io/v1\nkind: KafkaTopic\nmetadata:\n  name: refunds\nspec:\n  partitions: 1\n';
    const good = readFixture('topic.yaml').trim();
    const { ctx, prompts } = withModel([bad, good]);
    const result = await generateConfig.handler({ request: 'a refunds topic', domain: 'kafka', format: 'yaml' }, ctx);
    expect(result).toMatchObject({ status: 'compliant', attempts: 2, config: good, violations: [] });
    expect(prompts[1]).toContain('[KAFKA-001] spec.partitions');
  });
});
