import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { readFixture } from './support.ts';

const bin = new URL('../src/bin.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'policy-webhook-'));
const certFile = join(dir, 'tls.crt');
const keyFile = join(dir, 'tls.key');
let ca: Buffer;
let webhook: ChildProcess;
let base: string;
/** What the webhook process wrote to stderr. */
let output = '';

/** A self-signed certificate for localhost, as cert-manager would issue for the Service. */
function issueCertificate(key: string, cert: string) {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'].concat([
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]),
    { stdio: 'ignore' },
  );
}

/** The SHA-256 fingerprint of the certificate the server presents now. */
function servedFingerprint(): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port: Number(port), servername: 'localhost', rejectUnauthorized: false },
      () => {
        resolve(socket.getPeerCertificate().fingerprint256);
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  // A self-signed certificate for localhost, as cert-manager would issue for the Service.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  ca = readFileSync(certFile);
  webhook = spawn(
    process.execPath,
    [
      bin,
      'webhook',
      '--tls-cert',
      certFile,
      '--tls-key',
      keyFile,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--tls-reload-seconds',
      '0.2',
    ],
    {
      env: { ...process.env, POLICY_DIRS: '', POLICY_CONFIG: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  base = await new Promise<string>((resolve, reject) => {
    webhook.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (https:\/\/[\d.]+:\d+)\/validate/.exec(output);
      if (match) resolve(match[1]!.replace('127.0.0.1', 'localhost'));
    });
    webhook.once('exit', (code) => reject(new Error(`webhook exited ${code}: ${output}`)));
  });
});

afterAll(() => {
  webhook?.kill('SIGTERM');
});

function post(path: string, body: string, method = 'POST'): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, ca, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const deployment = YAML.parse(readFixture('deployment.yaml'));

function review(object: unknown, operation = 'CREATE') {
  const o = object as { kind: string; metadata: { name: string; namespace?: string } };
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: 'apps', version: 'v1', kind: o.kind },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      operation,
      userInfo: { username: 'alice', groups: ['developers'] },
      object: operation === 'DELETE' ? null : object,
      oldObject: operation === 'DELETE' ? object : null,
      dryRun: false,
    },
  });
}

describe('admission webhook over HTTPS', () => {
  it('allows a compliant Deployment', async () => {
    const { status, json } = await post('/validate', review(deployment));
    expect(status).toBe(200);
    expect(json).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true },
    });
  });

  it('allows with warnings for warn-level findings', async () => {
    const object = structuredClone(deployment);
    delete object.spec.template.spec.containers[0].livenessProbe;
    const { json } = await post('/validate', review(object));
    expect(json.response).toMatchObject({
      allowed: true,
      warnings: [
        '[K8S-008] container "api" has no livenessProbe: add one (httpGet on a health endpoint, or tcpSocket)',
      ],
    });
  });

  it('denies a privileged container with every violation in the status message', async () => {
    const object = structuredClone(deployment);
    object.spec.template.spec.containers[0].securityContext.privileged = true;
    object.spec.template.spec.hostNetwork = true;
    const { json } = await post('/webhook/validate', review(object));
    const response = json.response as { allowed: boolean; status: { code: number; message: string } };
    expect(response.allowed).toBe(false);
    expect(response.status.code).toBe(403);
    expect(response.status.message).toBe(
      'denied by the kubernetes policies (2 violation(s)):\n' +
        '[K8S-002] spec.template.spec.containers[0].securityContext.privileged: container "api" is privileged: remove securityContext.privileged or set it to false\n' +
        "[K8S-013] spec.template.spec.hostNetwork: the pod shares the node's namespace (hostNetwork: true): remove hostNetwork",
    );
  });

  it('checks custom resources against their own domain (a KafkaTopic)', async () => {
    const topic = {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      metadata: { name: 'orders', namespace: 'kafka' },
      spec: { partitions: 1 },
    };
    const { json } = await post('/validate', review(topic));
    const response = json.response as { allowed: boolean; status: { message: string } };
    expect(response.allowed).toBe(false);
    expect(response.status.message).toMatch(/^denied by the kafka policies \(6 violation\(s\)\)/);
    expect(json.response).toMatchObject({
      warnings: [expect.stringMatching(/^\[KAFKA-007\] topic "orders" names no Kafka cluster/)],
    });
  });

  it('leaves controller-created pods to their controller (the Deployment was checked)', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'payments-api-7d9f8-abcde',
        namespace: 'payments',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'payments-api-7d9f8', uid: 'u1', controller: true },
        ],
      },
      spec: structuredClone(deployment.spec.template.spec),
    };
    expect((await post('/validate', review(pod))).json.response).toEqual({
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      allowed: true,
    });
    const { json } = await post('/validate', review({ ...pod, metadata: { name: 'debug', namespace: 'payments' } }));
    expect((json.response as { allowed: boolean }).allowed).toBe(false);
  });

  it('lets an object being deleted drop its finalizers', async () => {
    const object = structuredClone(deployment);
    object.spec.template.spec.containers[0].securityContext.privileged = true;
    const denied = await post('/validate', review(object, 'UPDATE'));
    expect((denied.json.response as { allowed: boolean }).allowed).toBe(false);
    object.metadata.deletionTimestamp = '2026-11-22T08:00:00Z';
    object.metadata.finalizers = [];
    const { json } = await post('/validate', review(object, 'UPDATE'));
    expect(json.response).toEqual({ uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
  });

  it('allows deletes without evaluating', async () => {
    const object = structuredClone(deployment);
    object.spec.template.spec.containers[0].securityContext.privileged = true;
    const { json } = await post('/validate', review(object, 'DELETE'));
    expect(json.response).toEqual({ uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
  });

  it('answers malformed requests with 400 and what is wrong', async () => {
    expect(await post('/validate', '{not json')).toMatchObject({
      status: 400,
      json: { error: expect.stringMatching(/^body: not JSON/) },
    });
    expect(await post('/validate', JSON.stringify({ kind: 'Pod' }))).toMatchObject({
      status: 400,
      json: { error: 'body: not an AdmissionReview (kind must be AdmissionReview)' },
    });
    expect(
      await post(
        '/validate',
        JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: 'x' } }),
      ),
    ).toMatchObject({
      status: 400,
      json: {
        error: 'apiVersion: "admission.k8s.io/v1beta1" is not supported',
        hint: expect.stringContaining('admissionReviewVersions'),
      },
    });
    expect(
      await post(
        '/validate',
        JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} }),
      ),
    ).toMatchObject({
      status: 400,
      json: { error: 'request.uid: missing' },
    });
    expect((await post('/validate', '', 'GET')).status).toBe(405);
    expect((await post('/nope', '')).status).toBe(404);
    expect(await post('/healthz', '', 'GET')).toEqual({ status: 200, json: { ok: true } });
  });

  it('validates plain configuration on /v1/validate (the self-service templates mode)', async () => {
    const topic =
      'apiVersion: kafka.strimzi.io/v1\nkind: KafkaTopic\nmetadata:\n  name: refunds\nspec:\n  partitions: 3\n';
    const { status, json } = await post('/v1/validate', JSON.stringify({ config: topic }));
    expect(status).toBe(200);
    expect(json.allowed).toBe(false);
    expect((json.violations as Array<{ rule: string; line?: number }>).map((v) => `${v.rule}@${v.line}`)).toEqual([
      'KAFKA-002@5',
      'KAFKA-003@5',
      'KAFKA-004@5',
      'KAFKA-005@5',
      'KAFKA-006@4',
    ]);
    expect((json.warnings as Array<{ rule: string; line?: number }>).map((v) => `${v.rule}@${v.line}`)).toEqual([
      'KAFKA-007@3',
    ]);
    expect(await post('/v1/validate', JSON.stringify({ yaml: topic }))).toMatchObject({
      status: 400,
      json: { error: 'config: missing; send {"config": "<YAML, JSON or HCL text>"}' },
    });
    expect(await post('/v1/validate', JSON.stringify({ config: 'a: [' }))).toMatchObject({
      status: 400,
      json: { error: expect.stringMatching(/^YAML document 1 line/) },
    });
  });

  it('serves a renewed certificate without a restart', async () => {
    const before = await servedFingerprint();
    // cert-manager replaces the Secret's files; write the new pair aside and move it in.
    issueCertificate(join(dir, 'new.key'), join(dir, 'new.crt'));
    renameSync(join(dir, 'new.key'), keyFile);
    renameSync(join(dir, 'new.crt'), certFile);
    let after = before;
    for (let i = 0; i < 100 && after === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await servedFingerprint();
    }
    expect(after, output).not.toBe(before);
    ca = readFileSync(certFile);
    expect(await post('/healthz', '', 'GET')).toEqual({ status: 200, json: { ok: true } });
  });
});
