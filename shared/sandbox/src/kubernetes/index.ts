// The Kubernetes fake: a small API server on 127.0.0.1 (discovery, CRUD, selectors, pagination, the patch formats
// with server-side apply, dryRun, scale, pod logs) for built-in kinds and the Argo CD, Flux and Strimzi CRDs, holding
// objects to the Kubernetes OpenAPI document and the CRD schemas. See README.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxWorld } from '@idp-mcp/core';
import { stringify } from 'yaml';
import type { FaultSpec } from '../faults.ts';
import type { RecordedRequest, Violation } from '../server.ts';
import { KubernetesApi } from './api.ts';
import { serve } from './http.ts';
import { findTypeByKind, groupVersion, type ResourceType, resourceTypes } from './resources.ts';
import { sampleLogs, sampleObjects } from './sample-data.ts';
import { type KubernetesValidator, kubernetesValidator } from './schema.ts';
import { type KubeObject, KubernetesState, type LogLine } from './state.ts';

export { statusBody } from './api.ts';
export { type ResourceType, resourceTypes } from './resources.ts';
export { sampleLogs, sampleObjects } from './sample-data.ts';
export { kubernetesSpec, kubernetesValidator } from './schema.ts';
export { type KubeObject, KubernetesState, type LogLine, type Metadata } from './state.ts';

/** The bearer token the sandbox and tests use. */
export const SANDBOX_TOKEN = 'sandbox-kubernetes-token';

export interface KubernetesFakeOptions {
  /**
   * Check objects against the Kubernetes OpenAPI document and CRD schemas, and traffic against the document
   * (default true; the sandbox turns it off to start fast).
   */
  validate?: boolean;
  /** 'sample' (default): the sandbox cluster; 'empty': namespaces default and kube-system only; or these objects too. */
  seed?: 'sample' | 'empty' | KubeObject[];
  /** Simulated controllers: Deployment/StatefulSet status follows spec at once (default true). */
  controllers?: boolean;
  /**
   * Your own controller: called with every object a write stores (not dry runs), after the built-in ones; change it
   * in place, e.g. mark a new KafkaTopic Ready or an Argo CD Application Synced.
   */
  react?: (object: KubeObject) => void;
  token?: string;
  port?: number;
  /**
   * Serve HTTPS with a self-signed certificate for 127.0.0.1 (made with the openssl CLI once per process) and put
   * it in the kubeconfig as the cluster's CA. Needed by kubectl, which sends credentials only over TLS.
   */
  tls?: boolean;
}

export interface KubernetesFake {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly token: string;
  /** A kubeconfig (YAML) with one context, `fake`, pointing at this server with the token; namespace default. */
  readonly kubeconfig: string;
  /** The same kubeconfig written to a temporary file (removed on close). */
  readonly kubeconfigPath: string;
  readonly state: KubernetesState;
  readonly requests: RecordedRequest[];
  readonly violations: Violation[];
  /** Makes the next matching request(s) fail (a Status body for the code) or stall. */
  failNext(fault: FaultSpec): void;
  /** Clears requests, violations and pending faults. */
  reset(): void;
  /** Stores objects directly (no admission): validated when the fake validates. */
  seed(objects: KubeObject[]): void;
  /** An object as stored, or undefined. */
  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined;
  /** Objects of a kind, in a namespace or all. */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /** Replaces an object's status (what a controller would write), with a new resourceVersion. */
  setStatus(apiVersion: string, kind: string, name: string, namespace: string | undefined, status: unknown): KubeObject;
  /** Appends log lines to a pod's container. */
  appendLog(namespace: string, pod: string, container: string, lines: Array<string | LogLine>): void;
  close(): Promise<void>;
}

/**
 * The sandbox world's one cluster: every integration started in the world (kubernetes, flux, kafka's Strimzi mode,
 * Argo CD) gets this same fake, so what one stores the others see. The world closes it.
 */
export function sharedKubernetesFake(world: SandboxWorld): Promise<KubernetesFake> {
  return world.shared('kubernetes', () => startKubernetesFake({ validate: false }));
}

export async function startKubernetesFake(options: KubernetesFakeOptions = {}): Promise<KubernetesFake> {
  const validate = options.validate ?? true;
  const token = options.token ?? SANDBOX_TOKEN;
  const validator: KubernetesValidator | undefined = validate ? await kubernetesValidator() : undefined;
  const state = new KubernetesState();
  const typeOf = (apiVersion: string, kind: string): ResourceType => {
    const type = findTypeByKind(apiVersion, kind);
    if (!type) throw new Error(`kubernetes fake: no resource type ${apiVersion} ${kind}`);
    return type;
  };
  const namespaceType = typeOf('v1', 'Namespace');
  const seedObjects = (objects: KubeObject[]) => {
    for (const object of objects) {
      const type = typeOf(object.apiVersion, object.kind);
      const causes = validator?.checkObject(type, object) ?? [];
      if (causes.length > 0) {
        const text = causes.map((c) => `${c.field}: ${c.message}`).join('; ');
        throw new Error(`kubernetes fake: seed ${object.kind} ${object.metadata.name} is invalid: ${text}`);
      }
      state.put(type, object);
    }
  };
  const seed = options.seed ?? 'sample';
  if (seed === 'sample') {
    const objects = sampleObjects();
    seedObjects(objects);
    for (const [key, lines] of sampleLogs(objects)) state.logs.set(key, lines);
  } else {
    seedObjects(
      sampleObjects().filter((o) => o.kind === 'Namespace' && ['default', 'kube-system'].includes(o.metadata.name)),
    );
    if (Array.isArray(seed)) seedObjects(seed);
  }
  const api = new KubernetesApi({
    state,
    validator,
    controllers: options.controllers ?? true,
    react: options.react,
    typeOf,
    namespaceType,
  });
  const tls = options.tls ? selfSignedCertificate() : undefined;
  const served = await serve({
    api,
    validator,
    token,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(tls ? { tls } : {}),
  });
  // Over plain HTTP @kubernetes/client-node refuses to connect unless TLS verification is marked skipped.
  const cluster = {
    server: served.url,
    ...(tls
      ? { 'certificate-authority-data': Buffer.from(tls.cert).toString('base64') }
      : { 'insecure-skip-tls-verify': true }),
  };
  const kubeconfig = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster }],
    users: [{ name: 'fake-user', user: { token } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake-user', namespace: 'default' } }],
    'current-context': 'fake',
    preferences: {},
  });
  const directory = mkdtempSync(join(tmpdir(), 'kubernetes-fake-'));
  const kubeconfigPath = join(directory, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
  return {
    url: served.url,
    token,
    kubeconfig,
    kubeconfigPath,
    state,
    requests: served.requests,
    violations: served.violations,
    failNext: served.failNext,
    reset: served.reset,
    seed: seedObjects,
    get: (apiVersion, kind, name, namespace) => {
      const object = state.get(typeOf(apiVersion, kind), namespace, name);
      return object ? structuredClone(object) : undefined;
    },
    list: (apiVersion, kind, namespace) =>
      state.list(typeOf(apiVersion, kind), namespace).map((o) => structuredClone(o)),
    setStatus: (apiVersion, kind, name, namespace, status) => {
      const type = typeOf(apiVersion, kind);
      const object = state.get(type, namespace, name);
      if (!object) throw new Error(`kubernetes fake: no ${kind} ${namespace ? `${namespace}/` : ''}${name}`);
      return state.put(type, { ...structuredClone(object), status });
    },
    appendLog: (namespace, pod, container, lines) => state.appendLog(namespace, pod, container, lines),
    close: async () => {
      await served.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

let certificate: { key: string; cert: string } | undefined;

/** A throwaway self-signed certificate for 127.0.0.1 and localhost, made once per process with openssl. */
function selfSignedCertificate(): { key: string; cert: string } {
  if (certificate) return certificate;
  const directory = mkdtempSync(join(tmpdir(), 'kubernetes-fake-tls-'));
  const [keyFile, certFile] = [join(directory, 'key.pem'), join(directory, 'cert.pem')];
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '30',
        '-subj',
        '/CN=kubernetes-fake',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,digitalSignature,keyCertSign',
        '-addext',
        'extendedKeyUsage=serverAuth',
      ],
      { stdio: 'pipe' },
    );
    certificate = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
    return certificate;
  } catch (error) {
    throw new Error(
      `kubernetes fake: tls needs the openssl command to make a certificate: ${(error as Error).message}`,
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Every resource type the fake serves as `apiVersion Kind`, for documentation and tests. */
export function servedKinds(): string[] {
  return resourceTypes().map((t) => `${groupVersion(t)} ${t.kind}`);
}
