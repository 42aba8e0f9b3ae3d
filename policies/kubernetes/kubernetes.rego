# METADATA
# title: Kubernetes
# description: |
#   Workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod), Namespaces, onboarding
#   bundles, Services and Ingresses. Pod specs are held to the Pod Security Standards restricted profile, or to
#   the baseline profile in a namespace that opts into it (label pod-security.kubernetes.io/enforce: baseline on
#   its Namespace in the same input, or data.config.kubernetes.baseline_namespaces). Input:
#   {"documents": [<manifest>, ...]}. Config (data.config.kubernetes): allowed_registries (image prefixes),
#   required_labels, baseline_namespaces (names or globs).
package kubernetes

import data.lib

default config := {}

config := data.config.kubernetes

allowed_registries := object.get(config, "allowed_registries", ["ghcr.io/acme/", "registry.acme.internal/"])

required_labels := object.get(config, "required_labels", ["owner", "team", "app.kubernetes.io/name"])

baseline_namespaces := object.get(config, "baseline_namespaces", [])

# Reported: findings without a valid waiver annotation; waived: findings with one.
violations := lib.k8s_violations(findings)

waived := lib.k8s_waived(findings)

finding(id, severity, i, field, msg) := lib.k8s_finding(id, severity, i, field, msg)

# The pod spec of a workload, its path, and the pod template's metadata (annotations).
pod_spec(doc) := {"spec": doc.spec, "path": "spec", "meta": object.get(doc, "metadata", {}), "meta_path": "metadata"} if {
	doc.kind == "Pod"
} else := {"spec": doc.spec.jobTemplate.spec.template.spec, "path": "spec.jobTemplate.spec.template.spec", "meta": object.get(doc.spec.jobTemplate.spec.template, "metadata", {}), "meta_path": "spec.jobTemplate.spec.template.metadata"} if {
	doc.kind == "CronJob"
} else := {"spec": doc.spec.template.spec, "path": "spec.template.spec", "meta": object.get(doc.spec.template, "metadata", {}), "meta_path": "spec.template.metadata"} if {
	doc.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
}

workloads contains {"doc": i, "spec": ps.spec, "path": ps.path, "meta": ps.meta, "meta_path": ps.meta_path, "kind": doc.kind, "level": pss_level(doc)} if {
	some i, doc in input.documents
	ps := pod_spec(doc)
}

# Ephemeral (debug) containers are held to the security controls, not to the resource and probe rules.
containers contains {"doc": w.doc, "kind": w.kind, "level": w.level, "pod": w.spec, "c": c, "init": kind == "initContainers", "ephemeral": kind == "ephemeralContainers", "path": sprintf("%s.%s[%d]", [w.path, kind, j])} if {
	some w in workloads
	some kind in ["containers", "initContainers", "ephemeralContainers"]
	some j, c in object.get(w.spec, kind, [])
}

cname(c) := sprintf("container %q", [object.get(c.c, "name", "?")])

# The Pod Security Standards level a workload is held to: restricted unless its namespace opts into baseline,
# by the Kubernetes label on its Namespace (in the same input) or by the platform's baseline_namespaces.
pss_level(doc) := "baseline" if {
	ns := doc.metadata.namespace
	baseline_namespace(ns)
} else := "restricted"

labelled_baseline := {doc.metadata.name |
	some doc in input.documents
	doc.kind == "Namespace"
	doc.metadata.labels["pod-security.kubernetes.io/enforce"] == "baseline"
}

baseline_namespace(ns) if ns in labelled_baseline

baseline_namespace(ns) if {
	some pattern in baseline_namespaces
	glob.match(pattern, [], ns)
}

restricted(c) if c.level == "restricted"

# METADATA
# title: Containers run as non-root
# description: Every container must run with securityContext.runAsNonRoot true (set on the container or the pod). Restricted profile.
# custom:
#   id: K8S-001
#   severity: deny
#   rationale: A process running as root in a container is root on the node if it escapes the container.
findings contains finding("K8S-001", "deny", c.doc, sprintf("%s.securityContext.runAsNonRoot", [c.path]), msg) if {
	some c in containers
	restricted(c)
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
# description: securityContext.allowPrivilegeEscalation must be set to false. Restricted profile.
# custom:
#   id: K8S-003
#   severity: deny
#   rationale: setuid binaries can otherwise gain more privileges than the container started with.
findings contains finding("K8S-003", "deny", c.doc, sprintf("%s.securityContext.allowPrivilegeEscalation", [c.path]), msg) if {
	some c in containers
	restricted(c)
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
# description: securityContext.capabilities.drop must contain ALL; add back only what is needed. Restricted profile.
# custom:
#   id: K8S-005
#   severity: deny
#   rationale: The default capability set (NET_RAW, CHOWN, ...) is more than almost any service needs.
findings contains finding("K8S-005", "deny", c.doc, sprintf("%s.securityContext.capabilities.drop", [c.path]), msg) if {
	some c in containers
	restricted(c)
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
	not c.ephemeral
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
	not c.ephemeral
	some r in ["cpu", "memory"]
	not c.c.resources.limits[r]
	msg := sprintf("%s has no %s limit: set resources.limits.%s (e.g. %s)", [cname(c), r, r, example_quantity[r]])
}

example_quantity := {"cpu": "500m", "memory": "256Mi"}

long_running(c) if {
	not c.init
	not c.ephemeral
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
	msg := sprintf("%s image %q is not from an allowed registry: push it to one of %s and use that image%s", [cname(c), image, concat(", ", allowed_registries), registries_hint])
}

# Until the platform names its registries, the allow-list is the sandbox's placeholder: the denial says what to set.
registries_hint := "" if {
	config.allowed_registries
} else := " (no kubernetes.allowed_registries is set, so these are the sandbox's placeholders: set it in the policy settings file, POLICY_CONFIG or --config, to your registries, e.g. [123456789012.dkr.ecr.eu-west-1.amazonaws.com/])"

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

# Capabilities a container may add: NET_BIND_SERVICE in the restricted profile, the runtime's default set in baseline.
allowed_capabilities := {
	"restricted": {"NET_BIND_SERVICE"},
	"baseline": {
		"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
		"SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
	},
}

# METADATA
# title: Added capabilities
# description: securityContext.capabilities.add may hold only NET_BIND_SERVICE (restricted) or the runtime's default capabilities (baseline).
# custom:
#   id: K8S-020
#   severity: deny
#   rationale: SYS_ADMIN, NET_ADMIN, SYS_PTRACE and the like give a container the means to escape it or to attack the node's network.
findings contains finding("K8S-020", "deny", c.doc, sprintf("%s.securityContext.capabilities.add[%d]", [c.path, k]), msg) if {
	some c in containers
	some k, cap in object.get(c.c, ["securityContext", "capabilities", "add"], [])
	not upper(trim_prefix(sprintf("%v", [cap]), "CAP_")) in allowed_capabilities[c.level]
	msg := sprintf("%s adds the capability %v, which the %s profile forbids: remove it from securityContext.capabilities.add (only %s may be added)", [cname(c), cap, c.level, concat(", ", sort([x | some x in allowed_capabilities[c.level]]))])
}

# METADATA
# title: No host ports
# description: Container ports must not set hostPort (unset or 0).
# custom:
#   id: K8S-021
#   severity: deny
#   rationale: A host port binds the node's interface, bypasses NetworkPolicies and Services, and pins the pod to nodes where the port is free.
findings contains finding("K8S-021", "deny", c.doc, sprintf("%s.ports[%d].hostPort", [c.path, k]), msg) if {
	some c in containers
	some k, port in object.get(c.c, "ports", [])
	not object.get(port, "hostPort", 0) in {0, null}
	msg := sprintf("%s binds host port %v: remove ports[%d].hostPort and reach the pod through a Service", [cname(c), port.hostPort, k])
}

confined_seccomp := {"RuntimeDefault", "Localhost"}

# METADATA
# title: Seccomp profile
# description: securityContext.seccompProfile.type is RuntimeDefault or Localhost, on the pod or every container (restricted); never Unconfined (baseline).
# custom:
#   id: K8S-022
#   severity: deny
#   rationale: Without a seccomp profile every system call is open to the container, including those behind most kernel escapes.
findings contains finding("K8S-022", "deny", c.doc, sprintf("%s.securityContext.seccompProfile.type", [c.path]), msg) if {
	some c in containers
	type := c.c.securityContext.seccompProfile.type
	not type in confined_seccomp
	msg := sprintf("%s runs with seccomp profile %v: set securityContext.seccompProfile.type: RuntimeDefault (or Localhost with a localhostProfile)", [cname(c), type])
}

findings contains finding("K8S-022", "deny", c.doc, sprintf("%s.securityContext.seccompProfile.type", [c.path]), msg) if {
	some c in containers
	restricted(c)
	not c.c.securityContext.seccompProfile.type
	not c.pod.securityContext.seccompProfile.type
	msg := sprintf("%s has no seccomp profile: set securityContext.seccompProfile.type: RuntimeDefault on the pod (or on every container)", [cname(c)])
}

findings contains finding("K8S-022", "deny", w.doc, sprintf("%s.securityContext.seccompProfile.type", [w.path]), msg) if {
	some w in workloads
	type := w.spec.securityContext.seccompProfile.type
	not type in confined_seccomp
	msg := sprintf("the pod runs with seccomp profile %v: set securityContext.seccompProfile.type: RuntimeDefault (or Localhost with a localhostProfile)", [type])
}

apparmor_annotation := "container.apparmor.security.beta.kubernetes.io/"

# METADATA
# title: AppArmor profile
# description: AppArmor profiles (securityContext.appArmorProfile, or the container.apparmor.security.beta.kubernetes.io annotations) are unset, RuntimeDefault or Localhost, never Unconfined.
# custom:
#   id: K8S-023
#   severity: deny
#   rationale: An unconfined container loses the runtime's default AppArmor profile, which blocks mounts and writes to /proc and /sys.
findings contains finding("K8S-023", "deny", c.doc, sprintf("%s.securityContext.appArmorProfile.type", [c.path]), msg) if {
	some c in containers
	not object.get(c.c, ["securityContext", "appArmorProfile", "type"], "RuntimeDefault") in {"RuntimeDefault", "Localhost"}
	msg := sprintf("%s runs with AppArmor profile %v: set securityContext.appArmorProfile.type to RuntimeDefault (or Localhost) or remove it", [cname(c), c.c.securityContext.appArmorProfile.type])
}

findings contains finding("K8S-023", "deny", w.doc, sprintf("%s.securityContext.appArmorProfile.type", [w.path]), msg) if {
	some w in workloads
	not object.get(w.spec, ["securityContext", "appArmorProfile", "type"], "RuntimeDefault") in {"RuntimeDefault", "Localhost"}
	msg := sprintf("the pod runs with AppArmor profile %v: set securityContext.appArmorProfile.type to RuntimeDefault (or Localhost) or remove it", [w.spec.securityContext.appArmorProfile.type])
}

findings contains finding("K8S-023", "deny", w.doc, sprintf("%s.annotations[%q]", [w.meta_path, key]), msg) if {
	some w in workloads
	some key, value in object.get(w.meta, "annotations", {})
	startswith(key, apparmor_annotation)
	not value == "runtime/default"
	not startswith(sprintf("%v", [value]), "localhost/")
	msg := sprintf("annotation %s is %q: set it to runtime/default (or localhost/<profile>) or remove it", [key, value])
}

selinux_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

# Every seLinuxOptions of a workload: the pod's and each container's, with their paths.
selinux_options contains {"doc": w.doc, "opts": w.spec.securityContext.seLinuxOptions, "path": sprintf("%s.securityContext.seLinuxOptions", [w.path])} if {
	some w in workloads
	is_object(w.spec.securityContext.seLinuxOptions)
}

selinux_options contains {"doc": c.doc, "opts": c.c.securityContext.seLinuxOptions, "path": sprintf("%s.securityContext.seLinuxOptions", [c.path])} if {
	some c in containers
	is_object(c.c.securityContext.seLinuxOptions)
}

# METADATA
# title: SELinux options
# description: seLinuxOptions.type is unset or a container type (container_t, container_init_t, container_kvm_t, container_engine_t); user and role are unset.
# custom:
#   id: K8S-024
#   severity: deny
#   rationale: A custom SELinux type, user or role can lift the label that confines the container (spc_t is unconfined).
findings contains finding("K8S-024", "deny", o.doc, sprintf("%s.type", [o.path]), msg) if {
	some o in selinux_options
	not object.get(o.opts, "type", "") in selinux_types
	msg := sprintf("seLinuxOptions.type %q is not a container type: remove it or use container_t", [o.opts.type])
}

findings contains finding("K8S-024", "deny", o.doc, sprintf("%s.%s", [o.path, field]), msg) if {
	some o in selinux_options
	some field in ["user", "role"]
	not object.get(o.opts, field, "") == ""
	msg := sprintf("seLinuxOptions.%s is set to %q: remove it (the runtime assigns the container's SELinux user and role)", [field, o.opts[field]])
}

# METADATA
# title: Default /proc mount
# description: securityContext.procMount is unset or Default.
# custom:
#   id: K8S-025
#   severity: deny
#   rationale: An Unmasked /proc exposes kernel interfaces the runtime otherwise hides from containers.
findings contains finding("K8S-025", "deny", c.doc, sprintf("%s.securityContext.procMount", [c.path]), msg) if {
	some c in containers
	not object.get(c.c, ["securityContext", "procMount"], "Default") == "Default"
	msg := sprintf("%s mounts /proc %v: remove securityContext.procMount (or set it to Default)", [cname(c), c.c.securityContext.procMount])
}

safe_sysctls := {
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
}

# METADATA
# title: Safe sysctls only
# description: securityContext.sysctls names only the sysctls Kubernetes documents as safe (namespaced and isolated from the node).
# custom:
#   id: K8S-026
#   severity: deny
#   rationale: Other sysctls change the node's kernel for every pod on it, or are not isolated between pods.
findings contains finding("K8S-026", "deny", w.doc, sprintf("%s.securityContext.sysctls[%d].name", [w.path, k]), msg) if {
	some w in workloads
	some k, sysctl in object.get(w.spec, ["securityContext", "sysctls"], [])
	not sysctl.name in safe_sysctls
	msg := sprintf("sysctl %v is not one of the safe sysctls: remove it from securityContext.sysctls (allowed: %s)", [sysctl.name, concat(", ", sort([x | some x in safe_sysctls]))])
}

allowed_volume_types := {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}

# METADATA
# title: Volume types
# description: Volumes are configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected or secret (restricted profile; hostPath is K8S-012).
# custom:
#   id: K8S-027
#   severity: deny
#   rationale: Other in-tree volume types (nfs, iscsi, rbd, gitRepo, ...) mount storage the node reaches directly, outside the cluster's storage classes and access controls.
findings contains finding("K8S-027", "deny", w.doc, sprintf("%s.volumes[%d].%s", [w.path, j, type]), msg) if {
	some w in workloads
	w.level == "restricted"
	some j, v in object.get(w.spec, "volumes", [])
	some type in object.keys(v)
	not type in allowed_volume_types
	not type in {"name", "hostPath"}
	msg := sprintf("volume %q is of type %s, which the restricted profile forbids: use a persistentVolumeClaim (or configMap, secret, emptyDir, projected, csi, ephemeral, downwardAPI)", [object.get(v, "name", "?"), type])
}

# METADATA
# title: Non-root user id
# description: runAsUser is not 0, on the pod or on any container (restricted profile).
# custom:
#   id: K8S-028
#   severity: deny
#   rationale: runAsUser 0 runs the process as root whatever the image declares; runAsNonRoot alone does not stop an explicit 0.
findings contains finding("K8S-028", "deny", c.doc, sprintf("%s.securityContext.runAsUser", [c.path]), msg) if {
	some c in containers
	restricted(c)
	c.c.securityContext.runAsUser == 0
	msg := sprintf("%s runs as user 0 (root): set securityContext.runAsUser to a non-zero id (e.g. 10001)", [cname(c)])
}

findings contains finding("K8S-028", "deny", w.doc, sprintf("%s.securityContext.runAsUser", [w.path]), msg) if {
	some w in workloads
	w.level == "restricted"
	w.spec.securityContext.runAsUser == 0
	msg := "the pod runs as user 0 (root): set securityContext.runAsUser to a non-zero id (e.g. 10001)"
}

# METADATA
# title: No Windows HostProcess
# description: securityContext.windowsOptions.hostProcess is not true, on the pod or on any container.
# custom:
#   id: K8S-029
#   severity: deny
#   rationale: A HostProcess container runs directly on the Windows node with the node's privileges.
findings contains finding("K8S-029", "deny", c.doc, sprintf("%s.securityContext.windowsOptions.hostProcess", [c.path]), msg) if {
	some c in containers
	c.c.securityContext.windowsOptions.hostProcess == true
	msg := sprintf("%s is a Windows HostProcess container: remove securityContext.windowsOptions.hostProcess", [cname(c)])
}

findings contains finding("K8S-029", "deny", w.doc, sprintf("%s.securityContext.windowsOptions.hostProcess", [w.path]), msg) if {
	some w in workloads
	w.spec.securityContext.windowsOptions.hostProcess == true
	msg := "the pod is a Windows HostProcess pod: remove securityContext.windowsOptions.hostProcess"
}

# A NetworkPolicy in the namespace that selects every pod (podSelector {}): the namespace's default.
default_network_policy(ns) if {
	some doc in input.documents
	doc.kind == "NetworkPolicy"
	doc.metadata.namespace == ns
	count(object.get(doc, ["spec", "podSelector"], {})) == 0
}

# METADATA
# title: Onboarding bundle has a NetworkPolicy
# description: A Namespace delivered with other documents (a team onboarding bundle) needs a NetworkPolicy in it that selects every pod (podSelector {}), e.g. a default deny.
# custom:
#   id: K8S-030
#   severity: deny
#   rationale: Without a NetworkPolicy every pod in the cluster can reach the team's pods, and they can reach everything.
findings contains finding("K8S-030", "deny", b.doc, "kind", msg) if {
	some b in bundle_namespaces
	not default_network_policy(b.name)
	msg := sprintf("namespace %q is onboarded without a default NetworkPolicy: add a NetworkPolicy with metadata.namespace: %s, spec.podSelector: {} and policyTypes [Ingress, Egress] (a default deny), then allow what the team needs", [b.name, b.name])
}
