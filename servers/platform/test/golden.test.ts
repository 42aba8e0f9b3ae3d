import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { PolicyDomain } from '@idp-mcp/core';
import { policyGateFromEnv } from '@idp-mcp/policy';
import { type KubernetesFake, startKubernetesFake } from '@idp-mcp/sandbox/kubernetes';
import { type ConnectedClient, callOk, connectClient, textOf } from '@idp-mcp/testing/mcp';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { platformModule } from '../src/index.ts';

/**
 * The golden path proven end to end in the sandbox: what create_service commits is a service that starts and
 * answers both probes, passes its own tests, whose manifests a Kubernetes API server accepts (kubectl's
 * server-side dry run against the fake) and the policy gate passes with no violation at all, and whose image is
 * named the same way by the manifests, the Argo CD Application and the CI workflow.
 */
const gate = policyGateFromEnv({});
let mcp: ConnectedClient;
let kube: KubernetesFake;
let dir: string;

beforeAll(async () => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'pipe' });
  } catch {
    throw new Error('kubectl is not on PATH: install kubectl to run this test (it dry-runs the rendered manifests)');
  }
  mcp = await connectClient(platformModule, {
    args: ['--sandbox', '--role', 'platform-admin'],
    env: { IDP_MCP_STATE: ':memory:' },
    gate,
  });
  kube = await startKubernetesFake({ tls: true });
  dir = mkdtempSync(join(tmpdir(), 'idp-mcp-golden-'));
}, 120_000);
afterAll(async () => {
  await mcp?.close();
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = <T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}) =>
  callOk<T>(mcp.client, name, args);
const through = async <T>(tool: string, args: Record<string, unknown>) =>
  (await call<{ result: T }>('call_tool', { name: tool, arguments: args })).result;

interface Contents {
  type: string;
  content?: string;
  entries?: Array<{ path: string; type: string }>;
}

/** Every file of a repository (at a ref), read through the platform's GitHub tools. */
async function tree(repo: string, ref?: string): Promise<Record<string, string>> {
  const [owner, name] = repo.split('/');
  const files: Record<string, string> = {};
  const queue = [''];
  while (queue.length > 0) {
    const path = queue.shift()!;
    const listing = await through<Contents>('github_get_file_contents', {
      owner,
      repo: name,
      path,
      ...(ref ? { ref } : {}),
    });
    if (listing.type === 'dir') queue.push(...(listing.entries ?? []).map((entry) => entry.path));
    else files[path] = listing.content ?? '';
  }
  return files;
}

const yamlDocuments = (text: string) =>
  parseAllDocuments(text)
    .map((document) => document.toJS() as Record<string, unknown>)
    .filter(Boolean);

const PLACEHOLDER = /(?<!\$)\{\{\s*[A-Za-z_]\w*\s*\}\}/;

describe('create_service order-api with a topic, applied in the sandbox', () => {
  let repoFiles: Record<string, string>;
  let gitopsFiles: Record<string, string>;
  let plan: { plan_id: string; warnings: unknown[]; files: Array<{ path: string; content: string }> };

  beforeAll(async () => {
    plan = await call('create_service', {
      name: 'order-api',
      team: 'payments',
      description: 'Takes and tracks customer orders',
      kafka_topic: { name: 'orders.created.v1' },
    });
    const run = await call<{ status: string }>('apply_plan', { plan_id: plan.plan_id });
    expect(run.status).toBe('succeeded');
    repoFiles = await tree('acme/order-api');
    const gitops = await tree('acme/gitops', 'service/order-api-dev');
    gitopsFiles = Object.fromEntries(Object.entries(gitops).filter(([path]) => /order-api|orders\.created/.test(path)));
    for (const [path, content] of Object.entries(repoFiles)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
  }, 120_000);

  it('commits no unfilled placeholder and plans with no policy finding at all', () => {
    expect(plan.warnings).toEqual([]);
    const unfilled = Object.entries({ ...repoFiles, ...gitopsFiles })
      .filter(([, content]) => PLACEHOLDER.test(content))
      .map(([path]) => path);
    expect(unfilled).toEqual([]);
    expect(Object.keys(gitopsFiles).sort()).toEqual([
      'apps/order-api/dev/workload.yaml',
      'argocd/order-api-dev.yaml',
      'kafka/main/orders.created.v1.yaml',
    ]);
    expect(Object.keys(repoFiles)).toEqual(expect.arrayContaining(['Dockerfile', '.github/workflows/ci.yml']));
  });

  it("starts with the service's own start command and answers both probes; its own tests pass", async () => {
    const pkg = JSON.parse(repoFiles['package.json']!) as { scripts: Record<string, string> };
    const [command, ...args] = pkg.scripts.start!.split(' ');
    expect(command).toBe('node');
    const child = spawn(process.execPath, args, { cwd: dir, env: { PATH: process.env.PATH, PORT: '0' } });
    try {
      const port = await listeningPort(child);
      for (const probe of ['/healthz', '/readyz']) {
        const response = await fetch(`http://127.0.0.1:${port}${probe}`);
        expect(`${probe} ${response.status}`).toBe(`${probe} 200`);
      }
      expect((await fetch(`http://127.0.0.1:${port}/nothing`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
    const [testCommand, ...testArgs] = pkg.scripts.test!.split(' ');
    expect(testCommand).toBe('node');
    const { stdout } = await promisify(execFile)(process.execPath, testArgs, { cwd: dir });
    expect(stdout).toMatch(/pass [1-9]/);
    expect(stdout).toMatch(/fail 0/);
  }, 60_000);

  it('has manifests a Kubernetes API server accepts (kubectl apply --dry-run=server)', async () => {
    const kubectl = async (...args: string[]) =>
      (
        await promisify(execFile)('kubectl', args, {
          env: { ...process.env, KUBECONFIG: kube.kubeconfigPath },
        })
      ).stdout;
    const namespace = join(dir, 'namespace.yaml');
    writeFileSync(namespace, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments-dev\n');
    await kubectl('apply', '-f', namespace);
    const manifests = {
      ...gitopsFiles,
      ...Object.fromEntries(Object.entries(repoFiles).filter(([path]) => path.startsWith('k8s/'))),
    };
    expect(Object.keys(manifests).length).toBeGreaterThanOrEqual(5);
    for (const [path, content] of Object.entries(manifests)) {
      const file = join(dir, 'manifests', path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      // The repository's own manifests name no namespace: the environment's is given, as Argo CD would.
      const namespaceArgs = path.startsWith('k8s/') ? ['-n', 'payments-dev'] : [];
      const out = await kubectl('apply', '--dry-run=server', ...namespaceArgs, '-f', file);
      expect(out).toMatch(/\(server dry run\)/);
    }
    assertNoViolations(kube);
    expect(kube.get('apps/v1', 'Deployment', 'order-api', 'payments-dev')).toBeUndefined();
  }, 60_000);

  it('passes the policy gate with zero violations: workflow, manifests, Application and topic', async () => {
    const checks: Array<[PolicyDomain, string]> = [
      ['cicd', repoFiles['.github/workflows/ci.yml']!],
      ['kubernetes', repoFiles['k8s/deployment.yaml']!],
      ['kubernetes', repoFiles['k8s/service.yaml']!],
      ['kubernetes', gitopsFiles['apps/order-api/dev/workload.yaml']!],
      ['gitops', gitopsFiles['argocd/order-api-dev.yaml']!],
      ['kafka', gitopsFiles['kafka/main/orders.created.v1.yaml']!],
    ];
    for (const [domain, content] of checks) {
      const verdict = await gate.check(domain, yamlDocuments(content), { tool: 'test' });
      expect(verdict.violations).toEqual([]);
    }
  });

  it('names one image everywhere: manifests, Argo CD Application and CI workflow', () => {
    const image = 'ghcr.io/acme/order-api:v0.1.0';
    const deploymentImages = [repoFiles['k8s/deployment.yaml']!, gitopsFiles['apps/order-api/dev/workload.yaml']!]
      .flatMap(yamlDocuments)
      .filter((document) => document.kind === 'Deployment')
      .flatMap(
        (document) =>
          (document as { spec: { template: { spec: { containers: Array<{ image: string }> } } } }).spec.template.spec
            .containers,
      )
      .map((container) => container.image);
    expect(deploymentImages).toEqual([image, image]);
    const [application] = yamlDocuments(gitopsFiles['argocd/order-api-dev.yaml']!) as Array<{
      spec: { info?: Array<{ name: string; value: string }> };
    }>;
    expect(application!.spec.info).toContainEqual({ name: 'image', value: image });
    const workflow = repoFiles['.github/workflows/ci.yml']!;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${{ }} is a GitHub Actions expression
    expect(workflow).toContain('tags: ghcr.io/acme/order-api:${{ github.ref_name }}');
    expect(workflow).toContain('registry: ghcr.io');
    // No other registry or image name anywhere the service or its deployment is described.
    const everything = Object.values({ ...repoFiles, ...gitopsFiles }).join('\n');
    expect(everything).not.toContain('registry.acme.example');
    expect([...everything.matchAll(/ghcr\.io\/acme\/[\w.-]+/g)].map(([match]) => match)).toEqual(
      expect.arrayContaining(['ghcr.io/acme/order-api']),
    );
    expect(new Set([...everything.matchAll(/ghcr\.io\/acme\/[\w.-]+/g)].map(([match]) => match))).toEqual(
      new Set(['ghcr.io/acme/order-api']),
    );
  });
});

/** The port the service says it listens on (it logs "<name> listening on <port>"). */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the service did not start: ${output}`)), 10_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code}: ${output}`));
    });
  });
}

describe('the template as a checked contract', () => {
  let own: ConnectedClient;

  beforeAll(async () => {
    own = await connectClient(platformModule, {
      args: ['--sandbox', '--role', 'platform-admin'],
      env: { IDP_MCP_STATE: ':memory:' },
      gate,
    });
  });
  afterAll(() => own?.close());

  const changeTemplate = async (path: string, content: string) => {
    const result = await own.client.callTool({
      name: 'call_tool',
      arguments: {
        name: 'github_push_files',
        arguments: {
          owner: 'acme',
          repo: 'service-template',
          branch: 'main',
          message: `change ${path}`,
          files: [{ path, content }],
        },
      },
    });
    expect(result.isError, textOf(result)).toBeFalsy();
  };
  const plan = (args: Record<string, unknown> = {}) =>
    own.client.callTool({
      name: 'create_service',
      arguments: { name: 'order-api', team: 'payments', description: 'Takes orders', ...args },
    });

  it('refuses a rendered file that would keep a placeholder, before the gate', async () => {
    const result = await plan({ description: 'Takes orders for {{team}}' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('invalid_request: rendered files would be committed with unfilled placeholders');
    expect(textOf(result)).toContain('acme/order-api:README.md keeps {{team}}');
  });

  it('refuses a template whose files use a parameter it does not declare', async () => {
    await changeTemplate('README.md', '# {{service_name}}\n\nOwned by **{{owner_team}}**.\n');
    const result = await plan();
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(
      'invalid_request: the golden-path template acme/service-template uses undeclared parameters: {{owner_team}} in README.md; nothing was planned',
    );
    expect(textOf(result)).toContain('declare them in .idp/template.yaml');
  });

  it('refuses a template that requires a parameter nobody fills, and fills declared defaults', async () => {
    const declared = (
      (
        await own.client.callTool({
          name: 'call_tool',
          arguments: {
            name: 'github_get_file_contents',
            arguments: { owner: 'acme', repo: 'service-template', path: '.idp/template.yaml' },
          },
        })
      ).structuredContent as { result: { content: string } }
    ).result.content;
    await changeTemplate('README.md', '# {{service_name}}\n\nPart of {{system}}.\n');
    await changeTemplate('.idp/template.yaml', `${declared}  - {name: system, type: string, required: true}\n`);
    const refused = await plan();
    expect(textOf(refused)).toContain(
      'requires parameter system, which the platform does not fill and which has no default',
    );
    await changeTemplate('.idp/template.yaml', `${declared}  - {name: system, type: string, default: checkout}\n`);
    const planned = await plan();
    expect(planned.isError, textOf(planned)).toBeFalsy();
    const { files } = planned.structuredContent as { files: Array<{ path: string; content: string }> };
    expect(files.find((file) => file.path === 'README.md')?.content).toBe('# order-api\n\nPart of checkout.\n');
  });
});
