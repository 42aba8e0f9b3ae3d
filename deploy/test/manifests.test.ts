import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  type KubeObject,
  type KubernetesFake,
  kubernetesValidator,
  type ResourceType,
  resourceTypes,
  startKubernetesFake,
} from '@idp-mcp/sandbox/kubernetes';
import { assertNoViolations } from '@idp-mcp/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import { realmImport } from '../keycloak/realm.ts';
import { policyValidate, requireTool, root, run } from './support.ts';

/**
 * Dogfooding: every overlay, every Argo CD app set and every optional component renders with kubectl kustomize;
 * each object is held to the Kubernetes OpenAPI document or its CRD schema from shared/vendor, passes the project's
 * own policy CLI with no finding at all, and a Kubernetes API server (the project's fake, through kubectl's
 * server-side dry run) accepts it.
 */

/** Kinds whose published schema is not in shared/vendor/specs: rendered and policy-checked, not schema-validated. */
const NO_SCHEMA: Record<string, string> = {
  'external-secrets.io/v1 SecretStore': 'External Secrets Operator',
  'external-secrets.io/v1 ExternalSecret': 'External Secrets Operator',
  'monitoring.coreos.com/v1 ServiceMonitor': 'Prometheus Operator',
  'k8s.keycloak.org/v2alpha1 Keycloak': 'Keycloak operator',
  'k8s.keycloak.org/v2alpha1 KeycloakRealmImport': 'Keycloak operator',
  'cert-manager.io/v1 Issuer': 'cert-manager',
  'cert-manager.io/v1 Certificate': 'cert-manager',
};

const deploy = join(root, 'deploy');
const components = readdirSync(join(deploy, 'components'));
const scratch = mkdtempSync(join(tmpdir(), 'idp-mcp-deploy-'));
// prod with every optional component, so each component is rendered and checked too.
writeFileSync(
  join(scratch, 'kustomization.yaml'),
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${relative(scratch, join(deploy, 'overlays/prod'))}\ncomponents:\n${components.map((c) => `  - ${relative(scratch, join(deploy, 'components', c))}`).join('\n')}\n`,
);
const TARGETS: Record<string, string> = {
  'overlays/dev': join(deploy, 'overlays/dev'),
  'overlays/prod': join(deploy, 'overlays/prod'),
  'argocd/dev': join(deploy, 'argocd/dev'),
  'argocd/prod': join(deploy, 'argocd/prod'),
  'overlays/prod + every component': scratch,
};

const rendered: Record<string, { file: string; objects: KubeObject[] }> = {};
let kube: KubernetesFake;

beforeAll(async () => {
  await requireTool('kubectl', ['version', '--client'], 'it renders the overlays and dry-runs them');
  for (const [name, dir] of Object.entries(TARGETS)) {
    const text = await run('kubectl', ['kustomize', dir]);
    const file = join(scratch, `${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(file, text);
    rendered[name] = {
      file,
      objects: parseAllDocuments(text).map((document) => document.toJS() as KubeObject),
    };
  }
  kube = await startKubernetesFake({ tls: true, seed: 'empty' });
}, 120_000);
afterAll(async () => {
  await kube?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const gvk = (object: KubeObject) => `${object.apiVersion} ${object.kind}`;

/** The type the fake (and its validator) know a kind by, built-in or vendored CRD. */
function typeOf(object: KubeObject): ResourceType | undefined {
  return resourceTypes().find(
    (type) =>
      (type.group ? `${type.group}/${type.version}` : type.version) === object.apiVersion && type.kind === object.kind,
  );
}

describe.each(Object.keys(TARGETS))('%s', (name) => {
  it('renders objects that each match their published schema, with no unknown field', async () => {
    const validator = await kubernetesValidator();
    const { objects } = rendered[name]!;
    expect(objects.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const object of objects) {
      const type = typeOf(object);
      if (!type) {
        if (!NO_SCHEMA[gvk(object)])
          problems.push(`${gvk(object)} ${object.metadata.name}: no schema in shared/vendor`);
        continue;
      }
      for (const cause of validator.checkObject(type, object)) {
        problems.push(`${object.kind} ${object.metadata.name}: ${cause.field}: ${cause.message}`);
      }
      for (const field of validator.unknownFields(type, object)) {
        problems.push(`${object.kind} ${object.metadata.name}: unknown field ${field}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('passes the policy CLI with no violation, warning or waiver', async () => {
    const { code, stdout } = await policyValidate([rendered[name]!.file]);
    expect(stdout).toMatch(/^allowed: 0 violation\(s\), 0 warning\(s\), 0 waived/m);
    expect(code).toBe(0);
  });

  it('is accepted by a Kubernetes API server (kubectl apply --server-side --dry-run=server)', async () => {
    const kubectl = (...args: string[]) => run('kubectl', args, { KUBECONFIG: kube.kubeconfigPath });
    const { objects } = rendered[name]!;
    const served = objects.filter((object) => typeOf(object));
    // The namespaces exist first (a dry run creates nothing), as Argo CD's sync waves would make them.
    const namespaces = served.filter((object) => object.kind === 'Namespace');
    const namespaceNames = new Set(namespaces.map((object) => object.metadata.name));
    for (const namespace of ['argocd', ...namespaceNames]) {
      if (!kube.get('v1', 'Namespace', namespace))
        kube.seed([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }]);
    }
    const file = `${rendered[name]!.file}.served.yaml`;
    writeFileSync(file, served.map((object) => stringify(object)).join('---\n'));
    const out = await kubectl(
      'apply',
      '--server-side',
      '--dry-run=server',
      '--field-manager=argocd-controller',
      '-f',
      file,
    );
    expect(out.trim().split('\n')).toHaveLength(served.length);
    expect(out).not.toMatch(/error/i);
    const skipped = objects.filter((object) => !typeOf(object)).map(gvk);
    expect(skipped.filter((kind) => !NO_SCHEMA[kind])).toEqual([]);
    assertNoViolations(kube);
  });
});

describe('the Keycloak realm for the operator', () => {
  it('realm-import.yaml is what realm.ts writes (regenerate: node deploy/keycloak/realm.ts)', async () => {
    const text = readFileSync(join(deploy, 'keycloak/realm-import.yaml'), 'utf8');
    expect(parseYaml(text)).toEqual(JSON.parse(JSON.stringify(realmImport)));
  });

  it("fills the supervisor's client secret from the Secret External Secrets Operator writes, never from Git", () => {
    const supervisor = realmImport.spec.realm.clients.find((client) => client.clientId === 'idp-a2a-supervisor');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Keycloak operator's placeholder
    expect(supervisor).toMatchObject({ secret: '${A2A_CLIENT_SECRET}' });
    const secrets = rendered['overlays/prod']!.objects.filter((object) => object.kind === 'ExternalSecret');
    expect(secrets.map((object) => object.metadata.name)).toContain(
      realmImport.spec.placeholders.A2A_CLIENT_SECRET.secret.name,
    );
    expect(rendered['overlays/prod']!.objects.filter((object) => object.kind === 'Secret')).toEqual([]);
  });
});
