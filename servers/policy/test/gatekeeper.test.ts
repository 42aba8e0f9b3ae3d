import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPolicyGate,
  type Finding,
  type GatekeeperReview,
  gatekeeperSet,
  loadGatekeeper,
  validateDocuments,
} from '@idp-mcp/policy';
import { type ConnectedClient, connectClient } from '@idp-mcp/testing/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { policyModule } from '../src/index.ts';
import { admissionResponse } from '../src/webhook.ts';
import { call, fixture } from './support.ts';

const library = fixture('gatekeeper-library');
const examples = (name: string) =>
  YAML.parseAllDocuments(readFileSync(join(library, 'examples', name), 'utf8')).map((d) => d.toJS());
const policyDocuments = (file: string) =>
  YAML.parseAllDocuments(readFileSync(join(library, file), 'utf8'), { version: '1.1', uniqueKeys: false }).map((d) => ({
    file,
    doc: d.toJS() as Record<string, any>,
  }));
const FILES = ['allowedrepos.yaml', 'immutablelabels.yaml', 'privilegeescalation.yaml', 'requiredlabels.yaml'];
const ALL = [...FILES, 'uniqueserviceselector.yaml'];

/** The same template in the other form: targets[].rego/libs <-> code[{engine: Rego, source: {rego, libs}}]. */
function otherForm(doc: Record<string, any>): Record<string, any> {
  if (doc.kind !== 'ConstraintTemplate') return doc;
  const copy = structuredClone(doc);
  const target = copy.spec.targets[0];
  if (target.rego) {
    target.code = [{ engine: 'Rego', source: { rego: target.rego, libs: target.libs ?? [] } }];
    delete target.rego;
    delete target.libs;
  } else {
    const source = target.code.find((c: { engine: string }) => c.engine === 'Rego').source;
    target.rego = source.rego;
    target.libs = source.libs ?? [];
    delete target.code;
  }
  return copy;
}

const asWritten = gatekeeperSet(ALL.flatMap(policyDocuments));
const converted = gatekeeperSet(ALL.flatMap(policyDocuments).map(({ file, doc }) => ({ file, doc: otherForm(doc) })));
const summary = (findings: Finding[]) => findings.map((f) => `${f.document} ${f.severity} ${f.rule} ${f.message}`);

describe('a directory of gatekeeper-library templates, in both template forms', () => {
  const team = examples('team-apps.yaml');
  const expected = [
    '2 deny K8sAllowedRepos/images-from-acme container <worker> has an invalid image repo <docker.io/library/busybox:1.36>, allowed repos are ["ghcr.io/acme/"]',
    '2 deny K8sRequiredLabels/team-deployments-need-owner you must provide labels: {"owner"}',
    '6 deny K8sRequiredLabels/team-deployments-need-owner you must provide labels: {"owner"}',
    '7 warn K8sRequiredLabels/restricted-pods-need-cost-center Label <cost-center: marketing> does not satisfy allowed regex: ^cc-[0-9]{4}$',
    '9 deny K8sUniqueServiceSelector/unique-service-selector same selector as Service <api-copy> in namespace <team-pay>: <app:api>',
    '10 deny K8sUniqueServiceSelector/unique-service-selector same selector as Service <api> in namespace <team-pay>: <app:api>',
    '11 warn K8sRequiredLabels/platform-cluster-objects-need-owner you must provide labels: {"owner"}',
  ];
  const sorted = (findings: Finding[]) =>
    summary(findings).sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b));

  it('loads every template and constraint; a duplicate key is read as kubectl reads it, and said', () => {
    const loaded = loadGatekeeper([library]);
    expect(loaded.templates.sort()).toEqual([
      'K8sAllowedRepos',
      'K8sImmutableLabels',
      'K8sPSPAllowPrivilegeEscalationContainer',
      'K8sRequiredLabels',
      'K8sUniqueServiceSelector',
    ]);
    expect(loaded.constraints).toHaveLength(7);
    expect(loaded.problems).toEqual([
      `${library}/immutablelabels.yaml document 1: key metadata.annotations.description appears more than once; the last value is used, as kubectl does`,
    ]);
    expect(loaded.readsInventory).toBe(true);
    expect(loaded.syncKinds).toEqual([
      { group: '', version: 'v1', kind: 'Service' },
      { group: '', version: 'v1', kind: 'Namespace' },
    ]);
  });

  it('gives the violations gator gives for a manifest set (CI): globs, selectors, scope, name, inventory', () => {
    expect(sorted(asWritten.evaluate(team))).toEqual(expected);
    expect(sorted(converted.evaluate(team))).toEqual(expected);
  });

  it('gives the admission webhook its actions: scoped deny becomes warn, dryrun is silent', () => {
    const review: GatekeeperReview = {
      enforcementPoint: 'validation.gatekeeper.sh',
      operation: 'CREATE',
      objects: team,
    };
    const atAdmission = [
      expected[1],
      '2 warn K8sAllowedRepos/images-from-acme container <worker> has an invalid image repo <docker.io/library/busybox:1.36>, allowed repos are ["ghcr.io/acme/"]',
      ...expected.slice(2, -1),
    ];
    expect(sorted(asWritten.evaluate(team, review))).toEqual(atAdmission);
    expect(sorted(converted.evaluate(team, review))).toEqual(atAdmission);
  });

  it('passes operation, oldObject and userInfo: immutable labels deny the update, the update-exempt template does not run', () => {
    const [namespace] = team;
    const review: GatekeeperReview = {
      operation: 'UPDATE',
      oldObjects: examples('update-old.yaml'),
      userInfo: { username: 'bob', groups: ['developers'] },
      objects: [namespace, ...examples('update-new.yaml')],
    };
    const update = examples('update-new.yaml');
    const want = [
      '0 deny K8sImmutableLabels/team-label-is-immutable label team is immutable: it was pay, the update sets checkout',
    ];
    expect(summary(asWritten.evaluate(update, review))).toEqual(want);
    expect(summary(converted.evaluate(update, review))).toEqual(want);
    const admin = { ...review, userInfo: { username: 'root', groups: ['platform-admins'] } };
    expect(summary(asWritten.evaluate(update, admin))).toEqual([]);
    // The same Pod as a CREATE: no allowPrivilegeEscalation at all is a violation.
    expect(summary(asWritten.evaluate([update[1]], { ...review, operation: 'CREATE' }))).toEqual([
      '0 deny K8sPSPAllowPrivilegeEscalationContainer/psp-allow-privilege-escalation-container Privilege escalation container is not allowed: legacy',
    ]);
  });

  it('evaluates `not c.securityContext.allowPrivilegeEscalation == false` as OPA: undefined when the field is missing', () => {
    // The Pod "escalates" has an init container whose securityContext lacks the field: OPA lifts the reference out of
    // the negation, so neither rule of input_allow_privilege_escalation holds and Gatekeeper reports nothing.
    const rules = asWritten.evaluate(team).map((f) => f.rule);
    expect(rules).not.toContain('K8sPSPAllowPrivilegeEscalationContainer/psp-allow-privilege-escalation-container');
  });
});

describe('loading a policy directory', () => {
  it('reports a template the YAML parser rejects and one that does not compile, and loads the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatekeeper-'));
    cpSync(join(library, 'requiredlabels.yaml'), join(dir, 'a-requiredlabels.yaml'));
    writeFileSync(join(dir, 'b-broken.yaml'), 'apiVersion: templates.gatekeeper.sh/v1\nkind: [ConstraintTemplate\n');
    const noCompile = readFileSync(join(library, 'allowedrepos.yaml'), 'utf8').replace('import data.lib.workloads', '');
    writeFileSync(join(dir, 'c-allowedrepos.yaml'), noCompile);
    const loaded = loadGatekeeper([dir]);
    expect(loaded.templates).toEqual(['K8sRequiredLabels']);
    expect(loaded.constraints).toHaveLength(3);
    expect(loaded.problems).toHaveLength(3);
    expect(loaded.problems[0]).toMatch(/b-broken\.yaml document 1: skipped, not valid YAML: /);
    expect(loaded.problems[1]).toMatch(
      /c-allowedrepos\.yaml: ConstraintTemplate k8sallowedrepos does not compile: .*; the template is not enforced$/,
    );
    expect(loaded.problems[2]).toBe(
      'Gatekeeper constraint K8sAllowedRepos/images-from-acme is not enforced: its ConstraintTemplate did not load',
    );
  });

  it('reads the code form source.libs, and not target.libs beside it (the framework ignores those)', () => {
    const [template] = policyDocuments('allowedrepos.yaml');
    const moved = structuredClone(template!.doc);
    const target = moved.spec.targets[0];
    target.libs = target.code[0].source.libs;
    delete target.code[0].source.libs;
    const set = gatekeeperSet([{ file: 't.yaml', doc: moved }]);
    expect(set.templates).toEqual([]);
    expect(set.problems[0]).toMatch(/does not compile: .*undefined/);
  });

  it('refuses an unknown enforcementAction and a scoped one without scopedEnforcementActions, naming them', () => {
    const docs = policyDocuments('requiredlabels.yaml');
    const bad = (spec: Record<string, unknown>) => ({
      file: 'c.yaml',
      doc: {
        apiVersion: 'constraints.gatekeeper.sh/v1beta1',
        kind: 'K8sRequiredLabels',
        metadata: { name: 'x' },
        spec,
      },
    });
    expect(gatekeeperSet([docs[0]!, bad({ enforcementAction: 'block' })]).problems).toEqual([
      'c.yaml: Gatekeeper constraint K8sRequiredLabels/x: enforcementAction "block" is not deny, dryrun, warn or scoped; it is not enforced',
    ]);
    expect(gatekeeperSet([docs[0]!, bad({ enforcementAction: 'scoped' })]).problems).toEqual([
      'c.yaml: Gatekeeper constraint K8sRequiredLabels/x: enforcementAction scoped needs spec.scopedEnforcementActions; it is not enforced',
    ]);
  });
});

/** Match semantics, each case from Gatekeeper's documentation of the match field (website/docs/howto.md). */
describe('the constraint framework match field', () => {
  const [template] = policyDocuments('requiredlabels.yaml');
  const setWith = (match: Record<string, unknown>) =>
    gatekeeperSet([
      template!,
      {
        file: 'c.yaml',
        doc: {
          apiVersion: 'constraints.gatekeeper.sh/v1beta1',
          kind: 'K8sRequiredLabels',
          metadata: { name: 'c' },
          spec: { match, parameters: { labels: [{ key: 'owner' }] } },
        },
      },
    ]);
  const obj = (kind: string, name: string, namespace?: string, labels?: Record<string, string>) => ({
    apiVersion: kind === 'Deployment' ? 'apps/v1' : kind === 'ClusterRole' ? 'rbac.authorization.k8s.io/v1' : 'v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) },
  });
  const hits = (match: Record<string, unknown>, objects: unknown[], review?: GatekeeperReview) =>
    setWith(match)
      .evaluate(objects, review)
      .map((f) => (f.message.startsWith('you must') ? f.resource : `${f.resource}: ${f.message}`));

  it('namespaces and excludedNamespaces take prefix (kube-*) and suffix (*-system) globs', () => {
    const objects = ['kube-system', 'kube-public', 'gatekeeper-system', 'team-a'].map((ns) => obj('Pod', 'p', ns));
    expect(hits({ namespaces: ['kube-*'] }, objects)).toEqual(['Pod/kube-system/p', 'Pod/kube-public/p']);
    expect(hits({ namespaces: ['*-system'] }, objects)).toEqual(['Pod/kube-system/p', 'Pod/gatekeeper-system/p']);
    expect(hits({ excludedNamespaces: ['kube-*', '*-system'] }, objects)).toEqual(['Pod/team-a/p']);
  });

  it('namespaces, excludedNamespaces and namespaceSelector will match on cluster scoped resources which are not namespaced; scope Namespaced avoids it', () => {
    const objects = [obj('ClusterRole', 'r'), obj('Deployment', 'no-namespace-in-ci'), obj('Pod', 'p', 'other')];
    expect(hits({ namespaces: ['team-*'] }, objects)).toEqual(['ClusterRole/r', 'Deployment/no-namespace-in-ci']);
    expect(hits({ excludedNamespaces: ['other'] }, objects)).toEqual([
      'ClusterRole/r',
      'Deployment/no-namespace-in-ci',
    ]);
    expect(hits({ namespaceSelector: { matchLabels: { a: 'b' } } }, objects.slice(0, 2))).toEqual([
      'ClusterRole/r',
      'Deployment/no-namespace-in-ci',
    ]);
    expect(hits({ namespaces: ['team-*'], scope: 'Namespaced' }, objects)).toEqual([]);
  });

  it('scope: * (default), Cluster, Namespaced; a Namespace is cluster-scoped', () => {
    const objects = [obj('ClusterRole', 'r'), obj('Namespace', 'n'), obj('Pod', 'p', 'x')];
    expect(hits({ scope: '*' }, objects)).toEqual(['ClusterRole/r', 'Namespace/n', 'Pod/x/p']);
    expect(hits({ scope: 'Cluster' }, objects)).toEqual(['ClusterRole/r', 'Namespace/n']);
    expect(hits({ scope: 'Namespaced' }, objects)).toEqual(['Pod/x/p']);
  });

  it('kinds: only one group/kind entry needs to match; empty or * lists match all', () => {
    const objects = [obj('Pod', 'p', 'x'), obj('Deployment', 'd', 'x'), obj('ClusterRole', 'r')];
    expect(
      hits(
        {
          kinds: [
            { apiGroups: [''], kinds: ['Pod'] },
            { apiGroups: ['apps'], kinds: ['Deployment'] },
          ],
        },
        objects,
      ),
    ).toEqual(['Pod/x/p', 'Deployment/x/d']);
    expect(hits({ kinds: [{ apiGroups: ['*'], kinds: ['ClusterRole'] }] }, objects)).toEqual(['ClusterRole/r']);
    expect(hits({ kinds: [{ apiGroups: ['apps'], kinds: ['Pod'] }] }, objects)).toEqual([]);
  });

  it('labelSelector ANDs matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist)', () => {
    const objects = [
      obj('Pod', 'a', 'x', { app: 'web', tier: 'prod' }),
      obj('Pod', 'b', 'x', { app: 'web', tier: 'test' }),
      obj('Pod', 'c', 'x', { app: 'db' }),
      obj('Pod', 'd', 'x'),
    ];
    const selector = (matchExpressions: unknown[], matchLabels?: Record<string, string>) => ({
      labelSelector: { matchExpressions, ...(matchLabels ? { matchLabels } : {}) },
    });
    expect(hits(selector([{ key: 'tier', operator: 'In', values: ['prod'] }]), objects)).toEqual(['Pod/x/a']);
    expect(hits(selector([{ key: 'tier', operator: 'NotIn', values: ['test'] }]), objects)).toEqual([
      'Pod/x/a',
      'Pod/x/c',
      'Pod/x/d',
    ]);
    expect(hits(selector([{ key: 'tier', operator: 'Exists' }], { app: 'web' }), objects)).toEqual([
      'Pod/x/a',
      'Pod/x/b',
    ]);
    expect(hits(selector([{ key: 'app', operator: 'DoesNotExist' }]), objects)).toEqual(['Pod/x/d']);
    expect(hits(selector([{ key: 'app', operator: 'Near' }]), objects.slice(0, 1))).toEqual([
      'Pod/x/a: label selector operator "Near" is not In, NotIn, Exists or DoesNotExist',
    ]);
  });

  it('namespaceSelector reads the Namespace object: from the manifest set or the cluster, an error when neither has it', () => {
    const match = { namespaceSelector: { matchLabels: { pss: 'restricted' } } };
    const restricted = obj('Namespace', 'pay', undefined, { pss: 'restricted' });
    const pod = obj('Pod', 'p', 'pay');
    expect(hits(match, [restricted, pod])).toEqual(['Namespace/pay', 'Pod/pay/p']);
    const cluster = { namespaces: new Map([['pay', restricted]]), data: { inventory: { cluster: {}, namespace: {} } } };
    expect(hits(match, [pod], { cluster })).toEqual(['Pod/pay/p']);
    expect(hits(match, [obj('Pod', 'q', 'elsewhere')], { cluster })).toEqual([
      'Pod/elsewhere/q: K8sRequiredLabels/c selects namespaces by label, and the Namespace elsewhere of Pod/elsewhere/q is neither in the checked manifests nor in the cluster: add its Namespace manifest to the files checked together',
    ]);
  });

  it('name matches exactly or by a prefix/suffix glob, and generateName by a prefix glob', () => {
    const objects = [obj('Pod', 'pod-a', 'x'), obj('Pod', 'b-pod', 'x'), obj('Pod', 'other', 'x')];
    expect(hits({ name: 'pod-*' }, objects)).toEqual(['Pod/x/pod-a']);
    expect(hits({ name: '*-pod' }, objects)).toEqual(['Pod/x/b-pod']);
    expect(hits({ name: 'other' }, objects)).toEqual(['Pod/x/other']);
    const generated = { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'pod-', namespace: 'x' } };
    expect(hits({ name: 'pod-*' }, [generated])).toEqual(['Pod/x']);
  });

  it('an UPDATE matches when the object or its old version matches', () => {
    const now = obj('Pod', 'p', 'x', { tier: 'test' });
    const before = obj('Pod', 'p', 'x', { tier: 'prod' });
    const match = { labelSelector: { matchLabels: { tier: 'prod' } } };
    expect(hits(match, [now])).toEqual([]);
    expect(hits(match, [now], { operation: 'UPDATE', oldObjects: [before] })).toEqual(['Pod/x/p']);
  });
});

describe('the admission webhook passes the request to Gatekeeper templates', () => {
  const gate = createPolicyGate({ builtin: false, policyDirs: [library] });
  const admission = (request: Record<string, unknown>) =>
    admissionResponse(gate, {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: 'u1', ...request },
    }) as {
      response: { allowed: boolean; status?: { message: string }; warnings?: string[] };
    };
  const [oldApi] = examples('update-old.yaml');
  const [newApi] = examples('update-new.yaml');

  it('denies an UPDATE that changes an immutable label, with the old object and the user from the request', () => {
    const denied = admission({
      operation: 'UPDATE',
      namespace: 'team-pay',
      object: newApi,
      oldObject: oldApi,
      userInfo: { username: 'bob', groups: ['developers'] },
    });
    expect(denied.response.allowed).toBe(false);
    expect(denied.response.status?.message).toContain(
      '[K8sImmutableLabels/team-label-is-immutable] label team is immutable: it was pay, the update sets checkout',
    );
    const byAdmin = admission({
      operation: 'UPDATE',
      namespace: 'team-pay',
      object: newApi,
      oldObject: oldApi,
      userInfo: { username: 'root', groups: ['platform-admins'] },
    });
    expect(byAdmin.response.allowed).toBe(true);
  });

  it('exempts an UPDATE where the template exempts updates, and checks the CREATE', () => {
    const [, legacy] = examples('update-new.yaml');
    const pod = { ...legacy, metadata: { name: 'legacy', namespace: 'elsewhere' } };
    // (without a cluster, the namespaceSelector constraint cannot see Namespace elsewhere: that alone is refused)
    const updated = admission({ operation: 'UPDATE', namespace: 'elsewhere', object: pod, oldObject: pod });
    expect(updated.response.status?.message).toMatch(
      /^denied by the kubernetes policies \(1 violation\(s\)\):\n\[K8sRequiredLabels\/restricted-pods-need-cost-center\] K8sRequiredLabels\/restricted-pods-need-cost-center selects namespaces by label/,
    );
    const created = admission({ operation: 'CREATE', namespace: 'elsewhere', object: pod });
    expect(created.response.status?.message).toContain('Privilege escalation container is not allowed: legacy');
  });

  it('turns a scoped constraint into a warning at admission, where CI denies', () => {
    const worker = examples('team-apps.yaml')[2];
    const response = admission({ operation: 'CREATE', namespace: 'team-pay', object: worker }).response;
    expect(response.warnings).toContain(
      '[K8sAllowedRepos/images-from-acme] container <worker> has an invalid image repo <docker.io/library/busybox:1.36>, allowed repos are ["ghcr.io/acme/"]',
    );
    const ci = validateDocuments(gate, [worker], { domain: 'kubernetes' });
    expect(ci.violations.map((v) => v.rule)).toContain('K8sAllowedRepos/images-from-acme');
  });
});

describe('through an MCP client', () => {
  let mcp: ConnectedClient;
  beforeAll(async () => {
    mcp = await connectClient(policyModule, { args: ['--role', 'viewer'], env: { POLICY_DIRS: library } });
  });
  afterAll(() => mcp.close());

  it('validate checks a manifest without a namespace against namespace-scoped constraints, as Gatekeeper does', async () => {
    const config = YAML.stringify(examples('team-apps.yaml')[6]);
    const result = await call<{ violations: Array<{ rule: string }> }>(mcp, 'validate', {
      config,
      domain: 'kubernetes',
    });
    expect(result.violations.map((v) => v.rule)).toContain('K8sRequiredLabels/team-deployments-need-owner');
  });

  it('list_policies names what did not load cleanly', async () => {
    const result = await call<{ gatekeeper_problems: string[] }>(mcp, 'list_policies', {});
    expect(result.gatekeeper_problems).toEqual([
      expect.stringContaining('key metadata.annotations.description appears more than once'),
    ]);
  });
});
