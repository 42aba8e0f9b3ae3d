import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConnectedClient, connectClient, textOf } from '@idp-mcp/testing/mcp';
import { readVendored } from '@idp-mcp/vendor';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { platformModule } from '../src/index.ts';

// Policy evidence as OSCAL: the platform's audit log holds allowed, denied and waived decisions (terraform plans of
// recorded AWS plan JSON, through the terraform integration and its stand-in binary, and a refused apply); the export
// is an assessment-results document that validates against NIST's published OSCAL 1.0.6 schema.

const terraformFixtures = join(dirname(fileURLToPath(import.meta.url)), '../../terraform/test/fixtures');

const ajv = new Ajv({ allErrors: true, strict: false });
// ajv-formats is CommonJS: Node's ESM loader hands over module.exports, whose `default` is the plugin.
ajvFormats.default(ajv);
const validateOscal = ajv.compile(JSON.parse(readVendored('specs/oscal/oscal_assessment-results_schema.json')));

type Result = { isError?: boolean; structuredContent?: Record<string, unknown>; content?: unknown };
type Prop = { name: string; value: string };
type Finding = { title: string; description: string; props: Prop[]; target: { 'target-id': string } };
type Observation = { uuid: string; props: Prop[] };

let dir: string;
let mcp: ConnectedClient;
const call = async (name: string, args: Record<string, unknown>) =>
  (await mcp.client.callTool({ name, arguments: args })) as Result;
const props = (item: { props: Prop[] }) => Object.fromEntries(item.props.map((p) => [p.name, p.value]));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evidence-'));
  for (const plan of ['rds-encrypted', 's3-unencrypted', 'rds-public-waived']) {
    await mkdir(join(dir, 'infra', plan), { recursive: true });
    await copyFile(join(terraformFixtures, 'plans', `${plan}.json`), join(dir, 'infra', plan, 'plan.json'));
  }
  vi.stubEnv('IDP_MCP_STATE', join(dir, 'state.db'));
  mcp = await connectClient(platformModule, {
    args: ['--toolsets', 'core,terraform', '--role', 'platform-admin'],
    env: {
      IDP_MCP_STATE: join(dir, 'state.db'),
      PLATFORM_INTEGRATIONS: 'terraform,policy',
      TERRAFORM_ROOTS: join(dir, 'infra'),
      TERRAFORM_BINARY: join(terraformFixtures, 'fake-terraform.sh'),
    },
  });
});

afterEach(async () => {
  await mcp.close();
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

describe('policy evidence as OSCAL assessment results', () => {
  it('exports allowed, denied and waived decisions as a document the OSCAL schema accepts', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    await call('terraform_plan', { dir: 'rds-encrypted', environment: 'prod' });
    const denied = await call('terraform_plan', { dir: 's3-unencrypted', environment: 'prod' });
    await call('terraform_plan', { dir: 'rds-public-waived', environment: 'prod' });
    await call('terraform_plan', { dir: 'rds-encrypted', environment: 'staging' });
    const refused = await call('terraform_apply', { plan_id: denied.structuredContent?.plan_id });
    expect(textOf(refused)).toContain('policy_denied');
    const to = new Date(Date.now() + 60_000).toISOString();

    const exported = await call('export_evidence', { from, to, environment: 'prod' });
    const document = exported.structuredContent!;
    const valid = validateOscal(document);
    expect(validateOscal.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(validateOscal({ 'assessment-results': { uuid: 'x' } })).toBe(false);

    const [result] = (document['assessment-results'] as { results: Array<Record<string, unknown>> }).results;
    expect(result).toMatchObject({ start: from, end: to });
    const observations = result!.observations as Observation[];
    // Three prod plans; the staging plan is another environment, the refused apply names none.
    expect(observations.map((o) => [props(o).tool, props(o).decision])).toEqual([
      ['terraform_plan', 'allowed'],
      ['terraform_plan', 'denied'],
      ['terraform_plan', 'allowed'],
    ]);
    const findings = result!.findings as Finding[];
    expect(findings.map((f) => f.target['target-id']).sort()).toEqual(['TF-001', 'TF-002', 'TF-003']);
    const waived = findings.find((f) => f.target['target-id'] === 'TF-003')!;
    expect(props(waived)).toMatchObject({
      'rule-id': 'TF-003',
      severity: 'deny',
      waived: 'true',
      'waiver-reason': 'vendor migration reads it over a VPN-less link until cut-over',
      'waiver-expires': '2099-12-31',
    });
    const encryption = findings.find((f) => f.target['target-id'] === 'TF-001')!;
    expect(encryption.description).toContain('bucket aws_s3_bucket.exports has no server-side encryption');
    expect(props(encryption)).toMatchObject({ severity: 'deny', waived: 'false', resource: 'aws_s3_bucket.exports' });

    // Every environment, through the CLI command: the refused apply is a decision too.
    const out: string[] = [];
    const err: string[] = [];
    const code = await platformModule.commands!['evidence-export']!.run(['--from', from, '--to', to], {
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
    });
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    const all = JSON.parse(out.join(''));
    expect(validateOscal(all)).toBe(true);
    const decisions = (all['assessment-results'].results[0].observations as Observation[]).map(
      (o) => props(o).decision,
    );
    expect(decisions).toEqual(['allowed', 'denied', 'allowed', 'allowed', 'denied']);
  });

  it('names a bad period in the command', async () => {
    const err: string[] = [];
    const io = { stdout: () => {}, stderr: (text: string) => err.push(text) };
    const run = platformModule.commands!['evidence-export']!.run;
    expect(await run(['--from', '2026-10-01T00:00:00Z'], io)).toBe(2);
    expect(err.join('')).toContain('--from and --to are required');
    expect(await run(['--from', 'last quarter', '--to', '2027-01-01T00:00:00Z'], io)).toBe(2);
    expect(err.join('')).toContain('from: must be an ISO 8601 time');
  });
});
