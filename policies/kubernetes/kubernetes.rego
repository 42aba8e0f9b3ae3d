# METADATA
# title: Kubernetes
# description: |
#   Workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod), Namespaces, onboarding
#   bundles, Services and Ingresses. Input: {"documents": [<manifest>, ...]}. Config (data.config.kubernetes):
#   allowed_registries (image prefixes), required_labels.
package kubernetes

import data.lib

default config := {}

config := data.config.kubernetes

allowed_registries := object.get(config, "allowed_registries", ["ghcr.io/acme/", "registry.acme.internal/"])

required_labels := object.get(config, "required_labels", ["owner", "team", "app.kubernetes.io/name"])

# Reported: findings without a valid waiver annotation; waived: findings with one.
violations := lib.k8s_violations(findings)

waived := lib.k8s_waived(findings)

finding(id, severity, i, field, msg) := lib.k8s_finding(id, severity, i, field, msg)

# The pod spec of a workload and its path.
pod_spec(doc) := {"spec": doc.spec, "path": "spec"} if {
	doc.kind == "Pod"
} else := {"spec": doc.spec.jobTemplate.spec.template.spec, "path": "spec.jobTemplate.spec.template.spec"} if {
	doc.kind == "CronJob"
} else := {"spec": doc.spec.template.spec, "path": "spec.template.spec"} if {
	doc.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
}

workloads contains {"doc": i, "spec": ps.spec, "path": ps.path, "kind": doc.kind} if {
	some i, doc in input.documents
	ps := pod_spec(doc)
}

containers contains {"doc": w.doc, "kind": w.kind, "pod": w.spec, "c": c, "init": kind == "initContainers", "path": sprintf("%s.%s[%d]", [w.path, kind, j])} if {
	some w in workloads
	some kind in ["containers", "initContainers"]
	some j, c in object.get(w.spec, kind, [])
}

cname(c) := sprintf("container %q", [object.get(c.c, "name", "?")])

# METADATA
# title: Containers run as non-root
# description: Every container must run with securityContext.runAsNonRoot true (set on the container or the pod).
# custom:
#   id: K8S-001
#   severity: deny
#   rationale: A process running as root in a container is root on the node if it escapes the container.
findings contains finding("K8S-001", "deny", c.doc, sprintf("%s.securityContext.runAsNonRoot", [c.path]), msg) if {
	some c in containers
	not object.get(c.c, ["securityContext", "runAsNonRoot"], object.get(c.pod, ["securityContext", "runAsNonRoot"], false)) == true
	msg := sprintf("%s may run as root: set securityContext.runAsNonRoot: true (and a non-zero runAsUser) on the container or the pod", [cname(c)])
}

# METADATA
# title: No privileged containers
# description: securityContext.privileged must not be true.
# custom:
#   id: K8S-002
#   severity: deny
#   rationale: A privileged container has every capability and access to the node's devices.
findings contains finding("K8S-002", "deny", c.doc, sprintf("%s.securityContext.privileged", [c.path]), msg) if {
	some c in containers
	c.c.securityContext.privileged == true
	msg := sprintf("%s is privileged: remove securityContext.privileged or set it to false", [cname(c)])
}

# METADATA
# title: No privilege escalation
# description: securityContext.allowPrivilegeEscalation must be set to false.
# custom:
#   id: K8S-003
#   severity: deny
#   rationale: setuid binaries can otherwise gain more privileges than the container started with.
findings contains finding("K8S-003", "deny", c.doc, sprintf("%s.securityContext.allowPrivilegeEscalation", [c.path]), msg) if {
	some c in containers
	object.get(c.c, ["securityContext", "allowPrivilegeEscalation"], true) != false
	msg := sprintf("%s allows privilege escalation: set securityContext.allowPrivilegeEscalation: false", [cname(c)])
}

# METADATA
# title: Read-only root filesystem
# description: securityContext.readOnlyRootFilesystem must be true; write to mounted volumes (emptyDir) instead.
# custom:
#   id: K8S-004
#   severity: deny
#   rationale: An attacker cannot drop binaries or modify the image's files on a read-only root filesystem.
findings contains finding("K8S-004", "deny", c.doc, sprintf("%s.securityContext.readOnlyRootFilesystem", [c.path]), msg) if {
	some c in containers
	not c.c.securityContext.readOnlyRootFilesystem == true
	msg := sprintf("%s has a writable root filesystem: set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where it must write", [cname(c)])
}

# METADATA
# title: Drop all capabilities
# description: securityContext.capabilities.drop must contain ALL; add back only what is needed.
# custom:
#   id: K8S-005
#   severity: deny
#   rationale: The default capability set (NET_RAW, CHOWN, ...) is more than almost any service needs.
findings contains finding("K8S-005", "deny", c.doc, sprintf("%s.securityContext.capabilities.drop", [c.path]), msg) if {
	some c in containers
	not "ALL" in object.get(c.c, ["securityContext", "capabilities", "drop"], [])
	msg := sprintf("%s keeps the default Linux capabilities: set securityContext.capabilities.drop: [\"ALL\"]", [cname(c)])
}

# METADATA
# title: Resource requests
# description: Every container must request cpu and memory.
# custom:
#   id: K8S-006
#   severity: deny
#   rationale: Without requests the scheduler overcommits nodes and the pod is first to be evicted.
findings contains finding("K8S-006", "deny", c.doc, sprintf("%s.resources.requests.%s", [c.path, r]), msg) if {
	some c in containers
	some r in ["cpu", "memory"]
	not c.c.resources.requests[r]
	msg := sprintf("%s has no %s request: set resources.requests.%s (e.g. %s)", [cname(c), r, r, example_quantity[r]])
}

# METADATA
# title: Resource limits
# description: Every container must set cpu and memory limits.
# custom:
#   id: K8S-007
#   severity: deny
#   rationale: One container without limits can starve every other pod on its node.
findings contains finding("K8S-007", "deny", c.doc, sprintf("%s.resources.limits.%s", [c.path, r]), msg) if {
	some c in containers
	some r in ["cpu", "memory"]
	not c.c.resources.limits[r]
	msg := sprintf("%s has no %s limit: set resources.limits.%s (e.g. %s)", [cname(c), r, r, example_quantity[r]])
}

example_quantity := {"cpu": "500m", "memory": "256Mi"}

long_running(c) if {
	not c.init
	not c.kind in {"Job", "CronJob"}
}

# METADATA
# title: Liveness probe
# description: Long-running containers (not Jobs, CronJobs or init containers) should have a livenessProbe.
# custom:
#   id: K8S-008
#   severity: warn
#   rationale: Without a liveness probe a hung process keeps its pod Running and is never restarted.
findings contains finding("K8S-008", "warn", c.doc, sprintf("%s.livenessProbe", [c.path]), msg) if {
	some c in containers
	long_running(c)
	not c.c.livenessProbe
	msg := sprintf("%s has no livenessProbe: add one (httpGet on a health endpoint, or tcpSocket)", [cname(c)])
}

# METADATA
# title: Readiness probe
# description: Long-running containers (not Jobs, CronJobs or init containers) must have a readinessProbe.
# custom:
#   id: K8S-009
#   severity: deny
#   rationale: Without a readiness probe a Service sends traffic to pods that are not ready, and rollouts cannot tell a bad version.
findings contains finding("K8S-009", "deny", c.doc, sprintf("%s.readinessProbe", [c.path]), msg) if {
	some c in containers
	long_running(c)
	not c.c.readinessProbe
	msg := sprintf("%s has no readinessProbe: add one (httpGet on a readiness endpoint, or tcpSocket)", [cname(c)])
}

image_tag(image) := tag if {
	not contains(image, "@")
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	tag := split(last, ":")[1]
}

# METADATA
# title: Pinned image tags
# description: Images must name a tag other than latest, or a digest (@sha256:...).
# custom:
#   id: K8S-010
#   severity: deny
#   rationale: latest and untagged images change under a running workload; rollbacks and audits need an exact version.
findings contains finding("K8S-010", "deny", c.doc, sprintf("%s.image", [c.path]), msg) if {
	some c in containers
	image := object.get(c.c, "image", "")
	not contains(image, "@")
	not image_tag(image)
	msg := sprintf("%s image %q has no tag: pin a version tag (e.g. %s:1.4.2) or a digest (@sha256:...)", [cname(c), image, image])
}

findings contains finding("K8S-010", "deny", c.doc, sprintf("%s.image", [c.path]), msg) if {
	some c in containers
	image_tag(c.c.image) == "latest"
	msg := sprintf("%s image %q uses the latest tag: pin a version tag (e.g. 1.4.2) or a digest (@sha256:...)", [cname(c), c.c.image])
}

# METADATA
# title: Allowed registries
# description: Images must come from an allowed registry (data.config.kubernetes.allowed_registries, prefixes).
# custom:
#   id: K8S-011
#   severity: deny
#   rationale: Only images from registries the platform scans and signs may run.
findings contains finding("K8S-011", "deny", c.doc, sprintf("%s.image", [c.path]), msg) if {
	some c in containers
	image := object.get(c.c, "image", "")
	not strings.any_prefix_match(image, allowed_registries)
	msg := sprintf("%s image %q is not from an allowed registry: push it to one of %s and use that image", [cname(c), image, concat(", ", allowed_registries)])
}

# METADATA
# title: No hostPath volumes
# description: Pods must not mount hostPath volumes.
# custom:
#   id: K8S-012
#   severity: deny
#   rationale: A hostPath mount exposes the node's filesystem (container runtime socket, kubelet credentials).
findings contains finding("K8S-012", "deny", w.doc, sprintf("%s.volumes[%d].hostPath", [w.path, j]), msg) if {
	some w in workloads
	some j, v in object.get(w.spec, "volumes", [])
	v.hostPath
	msg := sprintf("volume %q mounts a host path: use an emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim instead", [object.get(v, "name", "?")])
}

# METADATA
# title: No host namespaces
# description: hostNetwork, hostPID and hostIPC must not be true.
# custom:
#   id: K8S-013
#   severity: deny
#   rationale: Sharing the node's network, process or IPC namespace breaks the isolation between pods.
findings contains finding("K8S-013", "deny", w.doc, sprintf("%s.%s", [w.path, ns]), msg) if {
	some w in workloads
	some ns in ["hostNetwork", "hostPID", "hostIPC"]
	w.spec[ns] == true
	msg := sprintf("the pod shares the node's namespace (%s: true): remove %s", [ns, ns])
}

# METADATA
# title: Required labels
# description: Workloads must carry the required labels (default owner, team, app.kubernetes.io/name).
# custom:
#   id: K8S-014
#   severity: deny
#   rationale: Ownership labels route alerts and costs to a team and let the catalog find the service.
findings contains finding("K8S-014", "deny", w.doc, sprintf("metadata.labels[%q]", [label]), msg) if {
	some w in workloads
	some label in required_labels
	not input.documents[w.doc].metadata.labels[label]
	msg := sprintf("the %s has no %q label: add metadata.labels[%q] (required: %s)", [w.kind, label, label, concat(", ", required_labels)])
}

# METADATA
# title: Namespace owner labels
# description: Namespaces must carry owner and team labels.
# custom:
#   id: K8S-015
#   severity: deny
#   rationale: Every namespace needs an accountable owner for quotas, alerts and clean-up.
findings contains finding("K8S-015", "deny", i, sprintf("metadata.labels[%q]", [label]), msg) if {
	some i, doc in input.documents
	doc.kind == "Namespace"
	some label in ["owner", "team"]
	not doc.metadata.labels[label]
	msg := sprintf("namespace %q has no %q label: add metadata.labels[%q]", [doc.metadata.name, label, label])
}

# An onboarding bundle: a Namespace together with other documents.
bundle_namespaces contains {"doc": i, "name": doc.metadata.name} if {
	count(input.documents) > 1
	some i, doc in input.documents
	doc.kind == "Namespace"
}

in_namespace(kind, ns) if {
	some doc in input.documents
	doc.kind == kind
	doc.metadata.namespace == ns
}

# METADATA
# title: Onboarding bundle has a ResourceQuota
# description: A Namespace delivered with other documents (a team onboarding bundle) needs a ResourceQuota in it.
# custom:
#   id: K8S-016
#   severity: deny
#   rationale: A namespace without a quota can consume the whole cluster.
findings contains finding("K8S-016", "deny", b.doc, "kind", msg) if {
	some b in bundle_namespaces
	not in_namespace("ResourceQuota", b.name)
	msg := sprintf("namespace %q is onboarded without a ResourceQuota: add a ResourceQuota with metadata.namespace: %s (requests.cpu, requests.memory, limits.cpu, limits.memory)", [b.name, b.name])
}

# METADATA
# title: Onboarding bundle has a LimitRange
# description: A Namespace delivered with other documents (a team onboarding bundle) needs a LimitRange in it.
# custom:
#   id: K8S-017
#   severity: deny
#   rationale: A LimitRange gives containers without requests sane defaults so the quota can admit them.
findings contains finding("K8S-017", "deny", b.doc, "kind", msg) if {
	some b in bundle_namespaces
	not in_namespace("LimitRange", b.name)
	msg := sprintf("namespace %q is onboarded without a LimitRange: add a LimitRange with metadata.namespace: %s and default requests/limits for containers", [b.name, b.name])
}

# METADATA
# title: LoadBalancer Services
# description: Services of type LoadBalancer create a cloud load balancer; prefer an Ingress.
# custom:
#   id: K8S-018
#   severity: warn
#   rationale: Every LoadBalancer Service costs money and may expose the service to the internet.
findings contains finding("K8S-018", "warn", i, "spec.type", msg) if {
	some i, doc in input.documents
	doc.kind == "Service"
	doc.spec.type == "LoadBalancer"
	msg := "the Service is of type LoadBalancer: use type ClusterIP behind the shared Ingress, or waive K8S-018 with a reason if it must be a load balancer"
}

# METADATA
# title: Ingress TLS
# description: Every Ingress host must be covered by spec.tls.
# custom:
#   id: K8S-019
#   severity: deny
#   rationale: Traffic to services must be encrypted in transit.
findings contains finding("K8S-019", "deny", i, "spec.tls", msg) if {
	some i, doc in input.documents
	doc.kind == "Ingress"
	count(object.get(doc.spec, "tls", [])) == 0
	msg := "the Ingress has no TLS: add spec.tls with the hosts and a secretName (cert-manager issues it)"
}

findings contains finding("K8S-019", "deny", i, sprintf("spec.rules[%d].host", [j]), msg) if {
	some i, doc in input.documents
	doc.kind == "Ingress"
	count(object.get(doc.spec, "tls", [])) > 0
	some j, rule in object.get(doc.spec, "rules", [])
	not tls_host(doc, rule.host)
	msg := sprintf("host %q is not covered by spec.tls: add it to the hosts of a spec.tls entry", [rule.host])
}

tls_host(doc, host) if {
	some t in doc.spec.tls
	host in object.get(t, "hosts", [])
}

# A wildcard certificate host (*.acme.dev) covers one label: api.acme.dev, not a.b.acme.dev.
tls_host(doc, host) if {
	some t in doc.spec.tls
	some pattern in object.get(t, "hosts", [])
	startswith(pattern, "*.")
	glob.match(pattern, ["."], host)
}
