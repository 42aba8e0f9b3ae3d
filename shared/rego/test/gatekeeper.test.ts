import { describe, expect, it } from 'vitest';
import { compile } from '../src/index.ts';

// v0 policies in the style of the Gatekeeper library (templates' rego, unchanged idioms).
const containerLimits = `package k8scontainerlimits

missing(obj, field) = true {
  not obj[field]
}

missing(obj, field) = true {
  obj[field] == ""
}

canonify_cpu(orig) = new {
  is_number(orig)
  new := orig * 1000
}

canonify_cpu(orig) = new {
  not is_number(orig)
  endswith(orig, "m")
  new := to_number(replace(orig, "m", ""))
}

canonify_cpu(orig) = new {
  not is_number(orig)
  not endswith(orig, "m")
  re_match("^[0-9]+(\\\\.[0-9]+)?$", orig)
  new := to_number(orig) * 1000
}

mem_multiple("E") = 1000000000000000000000 { true }
mem_multiple("P") = 1000000000000000000 { true }
mem_multiple("T") = 1000000000000000 { true }
mem_multiple("G") = 1000000000000 { true }
mem_multiple("M") = 1000000000 { true }
mem_multiple("k") = 1000000 { true }
mem_multiple("") = 1000 { true }
mem_multiple("Ki") = 1024000 { true }
mem_multiple("Mi") = 1048576000 { true }
mem_multiple("Gi") = 1073741824000 { true }

get_suffix(mem) = suffix {
  not is_string(mem)
  suffix := ""
}

get_suffix(mem) = suffix {
  is_string(mem)
  count(mem) > 0
  suffix := substring(mem, count(mem) - 1, -1)
  mem_multiple(suffix)
}

get_suffix(mem) = suffix {
  is_string(mem)
  count(mem) > 1
  suffix := substring(mem, count(mem) - 2, -1)
  mem_multiple(suffix)
}

get_suffix(mem) = suffix {
  is_string(mem)
  count(mem) > 1
  not mem_multiple(substring(mem, count(mem) - 1, -1))
  not mem_multiple(substring(mem, count(mem) - 2, -1))
  suffix := ""
}

canonify_mem(orig) = new {
  is_number(orig)
  new := orig * 1000
}

canonify_mem(orig) = new {
  not is_number(orig)
  suffix := get_suffix(orig)
  raw := replace(orig, suffix, "")
  re_match("^[0-9]+(\\\\.[0-9]+)?$", raw)
  new := to_number(raw) * mem_multiple(suffix)
}

violation[{"msg": msg}] {
  general_violation[{"msg": msg, "field": "containers"}]
}

general_violation[{"msg": msg, "field": field}] {
  container := input.review.object.spec[field][_]
  cpu_orig := container.resources.limits.cpu
  cpu := canonify_cpu(cpu_orig)
  max_cpu_orig := input.parameters.cpu
  max_cpu := canonify_cpu(max_cpu_orig)
  cpu > max_cpu
  msg := sprintf("container <%v> cpu limit <%v> is higher than the maximum allowed of <%v>", [container.name, cpu_orig, max_cpu_orig])
}

general_violation[{"msg": msg, "field": field}] {
  container := input.review.object.spec[field][_]
  mem_orig := container.resources.limits.memory
  mem := canonify_mem(mem_orig)
  max_mem_orig := input.parameters.memory
  max_mem := canonify_mem(max_mem_orig)
  mem > max_mem
  msg := sprintf("container <%v> memory limit <%v> is higher than the maximum allowed of <%v>", [container.name, mem_orig, max_mem_orig])
}

general_violation[{"msg": msg, "field": field}] {
  container := input.review.object.spec[field][_]
  not container.resources.limits
  msg := sprintf("container <%v> has no resource limits", [container.name])
}
`;

const allowedRepos = `package k8sallowedrepos

violation[{"msg": msg}] {
  container := input.review.object.spec.containers[_]
  satisfied := [good | repo = input.parameters.repos[_] ; good = startswith(container.image, repo)]
  not any(satisfied)
  msg := sprintf("container <%v> has an invalid image repo <%v>, allowed repos are %v", [container.name, container.image, input.parameters.repos])
}
`;

const hostNamespace = `package k8spsphostnamespace

import future.keywords.in

violation[{"msg": msg, "details": {}}] {
  input_share_hostnamespace(input.review.object)
  msg := sprintf("Sharing the host namespace is not allowed: %v", [input.review.object.metadata.name])
}

input_share_hostnamespace(o) {
  o.spec.hostPID
}

input_share_hostnamespace(o) {
  o.spec.hostIPC
}
`;

const pod = {
  review: {
    object: {
      metadata: { name: 'web' },
      spec: {
        hostPID: true,
        containers: [
          { name: 'app', image: 'ghcr.io/acme/app:1', resources: { limits: { cpu: '500m', memory: '1Gi' } } },
          { name: 'proxy', image: 'docker.io/envoy:1', resources: { limits: { cpu: 2, memory: '100Mi' } } },
          { name: 'debug', image: 'busybox' },
        ],
      },
    },
  },
};

describe('Gatekeeper-style v0 policies', () => {
  it('k8scontainerlimits', () => {
    const policy = compile([{ path: 'limits.rego', source: containerLimits }], { regoVersion: 'v0' });
    const input = { ...pod, parameters: { cpu: '1', memory: '512Mi' } };
    expect(policy.evalRule('data.k8scontainerlimits.violation', { input })).toEqual([
      { msg: 'container <app> memory limit <1Gi> is higher than the maximum allowed of <512Mi>' },
      { msg: 'container <debug> has no resource limits' },
      { msg: 'container <proxy> cpu limit <2> is higher than the maximum allowed of <1>' },
    ]);
  });

  it('k8sallowedrepos', () => {
    const policy = compile([{ path: 'repos.rego', source: allowedRepos }], { regoVersion: 'v0' });
    const input = { ...pod, parameters: { repos: ['ghcr.io/acme/'] } };
    const messages = (policy.evalRule('data.k8sallowedrepos.violation', { input }) as { msg: string }[]).map(
      (v) => v.msg,
    );
    expect(messages).toEqual([
      'container <debug> has an invalid image repo <busybox>, allowed repos are ["ghcr.io/acme/"]',
      'container <proxy> has an invalid image repo <docker.io/envoy:1>, allowed repos are ["ghcr.io/acme/"]',
    ]);
  });

  it('k8spsphostnamespace', () => {
    const policy = compile([{ path: 'ns.rego', source: hostNamespace }], { regoVersion: 'v0' });
    expect(policy.evalRule('data.k8spsphostnamespace.violation', { input: pod })).toEqual([
      { details: {}, msg: 'Sharing the host namespace is not allowed: web' },
    ]);
    expect(
      policy.evalRule('data.k8spsphostnamespace.violation', { input: { review: { object: { spec: {} } } } }),
    ).toEqual([]);
  });
});
