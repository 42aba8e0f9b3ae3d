// The Application CRD (argoproj.io/v1alpha1) as a validator. Argo CD's swagger types an Application loosely (no
// required fields); the CRD's openAPIV3Schema is what the Kubernetes API server enforces when Argo CD stores one, so the
// fake checks request bodies against it (refusing what the API server would refuse) and its own answers (a violation).
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { readSpecText } from '../spec.ts';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const crd = parse(readSpecText('argocd/application-crd.yaml')) as {
    spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> };
  };
  const version = crd.spec.versions.find((v) => v.name === 'v1alpha1');
  if (!version) throw new Error('application-crd.yaml serves no v1alpha1');
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
  compiled = ajv.compile(version.schema.openAPIV3Schema);
  return compiled;
}

/** Problems of an Application against the CRD schema, as `field: message`; empty when valid. */
export function applicationCrdProblems(application: unknown): string[] {
  const validate = validator();
  if (validate(application)) return [];
  return [
    ...new Set(
      (validate.errors ?? []).map((e) => `${e.instancePath.slice(1).replaceAll('/', '.') || '(root)'}: ${e.message}`),
    ),
  ].slice(0, 6);
}
