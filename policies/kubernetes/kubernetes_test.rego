package kubernetes_test

import data.kubernetes

deployment := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {
		"name": "payments-api",
		"namespace": "payments",
		"labels": {"owner": "alice", "team": "payments", "app.kubernetes.io/name": "payments-api"},
	},
	"spec": {
		"replicas": 2,
		"selector": {"matchLabels": {"app.kubernetes.io/name": "payments-api"}},
		"template": {
			"metadata": {"labels": {"app.kubernetes.io/name": "payments-api"}},
			"spec": {
				"securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
				"containers": [{
					"name": "api",
					"image": "ghcr.io/acme/payments-api:1.4.2",
					"ports": [{"containerPort": 8080}],
					"securityContext": {
						"allowPrivilegeEscalation": false,
						"readOnlyRootFilesystem": true,
						"capabilities": {"drop": ["ALL"]},
					},
					"resources": {
						"requests": {"cpu": "250m", "memory": "256Mi"},
						"limits": {"cpu": "500m", "memory": "256Mi"},
					},
					"livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
					"readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
				}],
			},
		},
	},
}

c0 := "/spec/template/spec/containers/0"

# Compliant documents per rule, shown by explain_rule (and checked to pass in vitest); `example` by default.
example := [deployment]

examples := {
	"K8S-015": [namespace],
	"K8S-016": [namespace, quota, limits, default_deny],
	"K8S-017": [namespace, quota, limits, default_deny],
	"K8S-018": [service],
	"K8S-019": [ingress],
	"K8S-030": [namespace, quota, limits, default_deny],
}

ids(docs) := {v.id | some v in kubernetes.violations with input as {"documents": docs}}

patched(ops) := json.patch(deployment, ops)

denies(id, docs) if id in ids(docs)

allows(id, docs) if not id in ids(docs)

test_compliant_deployment_has_no_violations if {
	count(ids([deployment])) == 0
}

test_K8S_001_denied if {
	denies("K8S-001", [patched([{"op": "remove", "path": "/spec/template/spec/securityContext"}])])
}

test_K8S_001_container_override_denied if {
	denies("K8S-001", [patched([{"op": "add", "path": concat("", [c0, "/securityContext/runAsNonRoot"]), "value": false}])])
}

test_K8S_001_allowed if {
	allows("K8S-001", [patched([
		{"op": "remove", "path": "/spec/template/spec/securityContext"},
		{"op": "add", "path": concat("", [c0, "/securityContext/runAsNonRoot"]), "value": true},
	])])
}

test_K8S_002_denied if {
	denies("K8S-002", [patched([{"op": "add", "path": concat("", [c0, "/securityContext/privileged"]), "value": true}])])
}

test_K8S_002_allowed if {
	allows("K8S-002", [patched([{"op": "add", "path": concat("", [c0, "/securityContext/privileged"]), "value": false}])])
}

test_K8S_003_denied if {
	denies("K8S-003", [patched([{"op": "remove", "path": concat("", [c0, "/securityContext/allowPrivilegeEscalation"])}])])
}

test_K8S_003_allowed if {
	allows("K8S-003", [deployment])
}

test_K8S_004_denied if {
	denies("K8S-004", [patched([{"op": "replace", "path": concat("", [c0, "/securityContext/readOnlyRootFilesystem"]), "value": false}])])
}

test_K8S_004_allowed if {
	allows("K8S-004", [deployment])
}

test_K8S_005_denied if {
	denies("K8S-005", [patched([{"op": "replace", "path": concat("", [c0, "/securityContext/capabilities/drop"]), "value": ["NET_RAW"]}])])
}

test_K8S_005_allowed if {
	allows("K8S-005", [patched([{"op": "add", "path": concat("", [c0, "/securityContext/capabilities/add"]), "value": ["NET_BIND_SERVICE"]}])])
}

test_K8S_006_denied if {
	denies("K8S-006", [patched([{"op": "remove", "path": concat("", [c0, "/resources/requests/memory"])}])])
}

test_K8S_006_allowed if {
	allows("K8S-006", [patched([{"op": "remove", "path": concat("", [c0, "/resources/limits"])}])])
}

test_K8S_007_denied if {
	denies("K8S-007", [patched([{"op": "remove", "path": concat("", [c0, "/resources/limits/cpu"])}])])
}

test_K8S_007_allowed if {
	allows("K8S-007", [patched([{"op": "remove", "path": concat("", [c0, "/resources/requests"])}])])
}

test_K8S_008_denied if {
	denies("K8S-008", [patched([{"op": "remove", "path": concat("", [c0, "/livenessProbe"])}])])
}

test_K8S_008_warns_only if {
	some v in kubernetes.violations with input as {"documents": [patched([{"op": "remove", "path": concat("", [c0, "/livenessProbe"])}])]}
	v.id == "K8S-008"
	v.severity == "warn"
	v.field == "spec.template.spec.containers[0].livenessProbe"
}

# A Job's containers run to completion: no probes needed.
job := {
	"apiVersion": "batch/v1",
	"kind": "Job",
	"metadata": deployment.metadata,
	"spec": {"template": {"spec": json.patch(deployment.spec.template.spec, [
		{"op": "remove", "path": "/containers/0/livenessProbe"},
		{"op": "remove", "path": "/containers/0/readinessProbe"},
	])}},
}

test_K8S_008_allowed if {
	allows("K8S-008", [job])
}

test_K8S_009_denied if {
	denies("K8S-009", [patched([{"op": "remove", "path": concat("", [c0, "/readinessProbe"])}])])
}

test_K8S_009_allowed if {
	allows("K8S-009", [job])
}

test_K8S_010_denied if {
	denies("K8S-010", [patched([{"op": "replace", "path": concat("", [c0, "/image"]), "value": "ghcr.io/acme/payments-api:latest"}])])
	denies("K8S-010", [patched([{"op": "replace", "path": concat("", [c0, "/image"]), "value": "ghcr.io/acme/payments-api"}])])
}

test_K8S_010_allowed if {
	allows("K8S-010", [patched([{"op": "replace", "path": concat("", [c0, "/image"]), "value": "registry.acme.internal:5000/payments-api@sha256:0d5c2b1e7f3a"}])])
}

test_K8S_011_denied if {
	denies("K8S-011", [patched([{"op": "replace", "path": concat("", [c0, "/image"]), "value": "docker.io/library/nginx:1.27"}])])
}

test_K8S_011_allowed if {
	allows("K8S-011", [deployment])
}

test_K8S_011_configurable if {
	"K8S-011" in ids([deployment]) with data.config.kubernetes.allowed_registries as ["quay.io/acme/"]
}

ecr := patched([{"op": "replace", "path": concat("", [c0, "/image"]), "value": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.4.2"}])

test_K8S_011_says_what_to_set_until_configured if {
	some v in kubernetes.violations with input as {"documents": [ecr]}
	v.id == "K8S-011"
	contains(v.msg, "no kubernetes.allowed_registries is set")
	configured := ids([ecr]) with data.config.kubernetes.allowed_registries as ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/"]
	not "K8S-011" in configured
	some w in kubernetes.violations with input as {"documents": [ecr]} with data.config.kubernetes.allowed_registries as ["quay.io/acme/"]
	w.id == "K8S-011"
	not contains(w.msg, "no kubernetes.allowed_registries")
}

test_K8S_012_denied if {
	denies("K8S-012", [patched([{"op": "add", "path": "/spec/template/spec/volumes", "value": [{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}]}])])
}

test_K8S_012_allowed if {
	allows("K8S-012", [patched([{"op": "add", "path": "/spec/template/spec/volumes", "value": [{"name": "tmp", "emptyDir": {}}]}])])
}

test_K8S_013_denied if {
	denies("K8S-013", [patched([{"op": "add", "path": "/spec/template/spec/hostNetwork", "value": true}])])
	denies("K8S-013", [patched([{"op": "add", "path": "/spec/template/spec/hostPID", "value": true}])])
}

test_K8S_013_allowed if {
	allows("K8S-013", [patched([{"op": "add", "path": "/spec/template/spec/hostNetwork", "value": false}])])
}

test_K8S_014_denied if {
	denies("K8S-014", [patched([{"op": "remove", "path": "/metadata/labels/team"}])])
}

test_K8S_014_allowed if {
	allows("K8S-014", [deployment])
}

namespace := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payments", "labels": {"owner": "alice", "team": "payments"}}}

quota := {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "default", "namespace": "payments"}, "spec": {"hard": {"requests.cpu": "8"}}}

default_deny := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "default-deny", "namespace": "payments"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}

limits := {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "default", "namespace": "payments"}, "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}}]}}

test_K8S_015_denied if {
	denies("K8S-015", [json.patch(namespace, [{"op": "remove", "path": "/metadata/labels/owner"}])])
}

test_K8S_015_allowed if {
	allows("K8S-015", [namespace])
}

test_K8S_016_denied if {
	denies("K8S-016", [namespace, limits])
}

test_K8S_016_allowed if {
	allows("K8S-016", [namespace, quota, limits])
	allows("K8S-016", [namespace])
}

test_K8S_017_denied if {
	denies("K8S-017", [namespace, quota])
}

test_K8S_017_allowed if {
	count(ids([namespace, quota, limits, default_deny])) == 0
}

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "payments-api", "namespace": "payments"}, "spec": {"type": "ClusterIP", "ports": [{"port": 80}]}}

test_K8S_018_denied if {
	denies("K8S-018", [json.patch(service, [{"op": "replace", "path": "/spec/type", "value": "LoadBalancer"}])])
}

test_K8S_018_allowed if {
	allows("K8S-018", [service])
}

ingress := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "Ingress",
	"metadata": {"name": "payments-api", "namespace": "payments"},
	"spec": {
		"tls": [{"hosts": ["payments.acme.dev"], "secretName": "payments-tls"}],
		"rules": [{"host": "payments.acme.dev", "http": {"paths": []}}],
	},
}

test_K8S_019_denied if {
	denies("K8S-019", [json.patch(ingress, [{"op": "remove", "path": "/spec/tls"}])])
	denies("K8S-019", [json.patch(ingress, [{"op": "add", "path": "/spec/rules/-", "value": {"host": "admin.acme.dev"}}])])
}

test_K8S_019_allowed if {
	allows("K8S-019", [ingress])
}

test_K8S_019_allowed_by_wildcard if {
	wildcard := json.patch(ingress, [{"op": "replace", "path": "/spec/tls/0/hosts", "value": ["*.acme.dev"]}])
	allows("K8S-019", [wildcard])
	denies("K8S-019", [json.patch(wildcard, [{"op": "replace", "path": "/spec/rules/0/host", "value": "a.payments.acme.dev"}])])
}

# Waivers: a valid waiver moves the finding to `waived`; an expired or reason-less one is reported.
waive(value) := patched([
	{"op": "add", "path": "/metadata/annotations", "value": {"policy.idp-mcp.io/waive-K8S-018": "x", "policy.idp-mcp.io/waive-K8S-004": value}},
	{"op": "replace", "path": concat("", [c0, "/securityContext/readOnlyRootFilesystem"]), "value": false},
])

test_waiver_valid_moves_finding_to_waived if {
	docs := [waive("reason=legacy JVM writes to /tmp, fix in PAY-123; expires=2099-12-31")]
	allows("K8S-004", docs)
	some w in kubernetes.waived with input as {"documents": docs}
	w.id == "K8S-004"
	w.waiver.reason == "legacy JVM writes to /tmp, fix in PAY-123"
}

test_waiver_expired_is_reported if {
	some v in kubernetes.violations with input as {"documents": [waive("reason=legacy; expires=2020-01-01")]}
	v.id == "K8S-004"
	contains(v.msg, "expired on 2020-01-01")
}

test_waiver_without_reason_is_reported if {
	some v in kubernetes.violations with input as {"documents": [waive("expires=2099-12-31")]}
	v.id == "K8S-004"
	contains(v.msg, "no reason")
}

test_waiver_with_bad_date_is_reported if {
	some v in kubernetes.violations with input as {"documents": [waive("reason=x; expires=next year")]}
	contains(v.msg, "not a date")
}

test_cronjob_pod_spec_is_found if {
	cron := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": deployment.metadata,
		"spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "task", "image": "ghcr.io/acme/task:latest"}]}}}}},
	}
	some v in kubernetes.violations with input as {"documents": [cron]}
	v.id == "K8S-010"
	v.field == "spec.jobTemplate.spec.template.spec.containers[0].image"
	v.resource == "CronJob/payments/payments-api"
}

# Pod Security Standards: restricted by default, baseline where the namespace opts in.
sc(path) := concat("", [c0, "/securityContext/", path])

pod_sc(path) := concat("", ["/spec/template/spec/securityContext/", path])

baseline_ns := json.patch(namespace, [{"op": "add", "path": "/metadata/labels/pod-security.kubernetes.io~1enforce", "value": "baseline"}])

# A Deployment relaxed to what the baseline profile allows: root, escalation, default capabilities, no seccomp, nfs.
relaxed := patched([
	{"op": "replace", "path": "/spec/template/spec/securityContext", "value": {"runAsUser": 0}},
	{"op": "replace", "path": concat("", [c0, "/securityContext"]), "value": {"readOnlyRootFilesystem": true, "capabilities": {"add": ["CHOWN"]}}},
	{"op": "add", "path": "/spec/template/spec/volumes", "value": [{"name": "share", "nfs": {"server": "nfs.acme.internal", "path": "/share"}}]},
])

restricted_only := {"K8S-001", "K8S-003", "K8S-005", "K8S-020", "K8S-022", "K8S-027", "K8S-028"}

test_baseline_namespace_by_label if {
	restricted_only & ids([relaxed]) == restricted_only
	count(restricted_only & ids([relaxed, baseline_ns])) == 0
}

test_baseline_namespace_by_config if {
	by_glob := ids([relaxed]) with data.config.kubernetes.baseline_namespaces as ["pay*"]
	count(restricted_only & by_glob) == 0
	other := ids([relaxed]) with data.config.kubernetes.baseline_namespaces as ["orders"]
	restricted_only & other == restricted_only
}

test_baseline_still_denies_baseline_controls if {
	docs := [
		json.patch(relaxed, [
			{"op": "add", "path": concat("", [c0, "/securityContext/capabilities/add/-"]), "value": "SYS_ADMIN"},
			{"op": "add", "path": "/spec/template/spec/securityContext/seccompProfile", "value": {"type": "Unconfined"}},
			{"op": "add", "path": concat("", [c0, "/ports/0/hostPort"]), "value": 8080},
		]),
		baseline_ns,
	]
	{"K8S-020", "K8S-021", "K8S-022"} & ids(docs) == {"K8S-020", "K8S-021", "K8S-022"}
}

test_other_enforce_levels_stay_restricted if {
	privileged_ns := json.patch(namespace, [{"op": "add", "path": "/metadata/labels/pod-security.kubernetes.io~1enforce", "value": "privileged"}])
	restricted_only & ids([relaxed, privileged_ns]) == restricted_only
}

test_ephemeral_containers_are_checked if {
	docs := [patched([{"op": "add", "path": "/spec/template/spec/ephemeralContainers", "value": [{"name": "debug", "image": "ghcr.io/acme/toolbox:1.0.0", "securityContext": {"privileged": true}}]}])]
	some v in kubernetes.violations with input as {"documents": docs}
	v.id == "K8S-002"
	v.field == "spec.template.spec.ephemeralContainers[0].securityContext.privileged"
	not "K8S-006" in ids(docs)
	not "K8S-009" in ids(docs)
}

test_K8S_020_denied if {
	denies("K8S-020", [patched([{"op": "add", "path": sc("capabilities/add"), "value": ["SYS_ADMIN"]}])])
	denies("K8S-020", [patched([{"op": "add", "path": sc("capabilities/add"), "value": ["NET_BIND_SERVICE", "NET_RAW"]}])])
}

test_K8S_020_allowed if {
	allows("K8S-020", [patched([{"op": "add", "path": sc("capabilities/add"), "value": ["NET_BIND_SERVICE"]}])])
}

test_K8S_021_denied if {
	denies("K8S-021", [patched([{"op": "add", "path": concat("", [c0, "/ports/0/hostPort"]), "value": 8080}])])
}

test_K8S_021_allowed if {
	allows("K8S-021", [patched([{"op": "add", "path": concat("", [c0, "/ports/0/hostPort"]), "value": 0}])])
}

test_K8S_022_denied if {
	denies("K8S-022", [patched([{"op": "remove", "path": pod_sc("seccompProfile")}])])
	denies("K8S-022", [patched([{"op": "replace", "path": pod_sc("seccompProfile/type"), "value": "Unconfined"}])])
	denies("K8S-022", [patched([{"op": "add", "path": sc("seccompProfile"), "value": {"type": "Unconfined"}}])])
}

test_K8S_022_allowed if {
	allows("K8S-022", [deployment])
	allows("K8S-022", [patched([
		{"op": "remove", "path": pod_sc("seccompProfile")},
		{"op": "add", "path": sc("seccompProfile"), "value": {"type": "Localhost", "localhostProfile": "profiles/api.json"}},
	])])
}

test_K8S_023_denied if {
	denies("K8S-023", [patched([{"op": "add", "path": sc("appArmorProfile"), "value": {"type": "Unconfined"}}])])
	denies("K8S-023", [patched([{"op": "add", "path": pod_sc("appArmorProfile"), "value": {"type": "Unconfined"}}])])
	denies("K8S-023", [patched([{"op": "add", "path": "/spec/template/metadata/annotations", "value": {"container.apparmor.security.beta.kubernetes.io/api": "unconfined"}}])])
}

test_K8S_023_allowed if {
	allows("K8S-023", [patched([
		{"op": "add", "path": sc("appArmorProfile"), "value": {"type": "RuntimeDefault"}},
		{"op": "add", "path": "/spec/template/metadata/annotations", "value": {"container.apparmor.security.beta.kubernetes.io/api": "localhost/k8s-api"}},
	])])
}

test_K8S_024_denied if {
	denies("K8S-024", [patched([{"op": "add", "path": sc("seLinuxOptions"), "value": {"type": "spc_t"}}])])
	denies("K8S-024", [patched([{"op": "add", "path": pod_sc("seLinuxOptions"), "value": {"user": "system_u"}}])])
}

test_K8S_024_allowed if {
	allows("K8S-024", [patched([{"op": "add", "path": pod_sc("seLinuxOptions"), "value": {"type": "container_t", "level": "s0:c123,c456"}}])])
}

test_K8S_025_denied if {
	denies("K8S-025", [patched([{"op": "add", "path": sc("procMount"), "value": "Unmasked"}])])
}

test_K8S_025_allowed if {
	allows("K8S-025", [patched([{"op": "add", "path": sc("procMount"), "value": "Default"}])])
}

test_K8S_026_denied if {
	denies("K8S-026", [patched([{"op": "add", "path": pod_sc("sysctls"), "value": [{"name": "kernel.msgmax", "value": "65536"}]}])])
}

test_K8S_026_allowed if {
	allows("K8S-026", [patched([{"op": "add", "path": pod_sc("sysctls"), "value": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}]}])])
}

test_K8S_027_denied if {
	denies("K8S-027", [patched([{"op": "add", "path": "/spec/template/spec/volumes", "value": [{"name": "share", "nfs": {"server": "nfs.acme.internal", "path": "/"}}]}])])
}

test_K8S_027_allowed if {
	allows("K8S-027", [patched([{"op": "add", "path": "/spec/template/spec/volumes", "value": [
		{"name": "tmp", "emptyDir": {}},
		{"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
		{"name": "token", "projected": {"sources": []}},
	]}])])
}

test_K8S_028_denied if {
	denies("K8S-028", [patched([{"op": "replace", "path": pod_sc("runAsUser"), "value": 0}])])
	denies("K8S-028", [patched([{"op": "add", "path": sc("runAsUser"), "value": 0}])])
}

test_K8S_028_allowed if {
	allows("K8S-028", [patched([{"op": "add", "path": sc("runAsUser"), "value": 10002}])])
}

test_K8S_029_denied if {
	denies("K8S-029", [patched([{"op": "add", "path": sc("windowsOptions"), "value": {"hostProcess": true}}])])
	denies("K8S-029", [patched([{"op": "add", "path": pod_sc("windowsOptions"), "value": {"hostProcess": true}}])])
}

test_K8S_029_allowed if {
	allows("K8S-029", [patched([{"op": "add", "path": pod_sc("windowsOptions"), "value": {"hostProcess": false}}])])
}

test_K8S_030_denied if {
	denies("K8S-030", [namespace, quota, limits])
	allow_dns := json.patch(default_deny, [{"op": "replace", "path": "/spec/podSelector", "value": {"matchLabels": {"app": "api"}}}])
	denies("K8S-030", [namespace, quota, limits, allow_dns])
}

test_K8S_030_allowed if {
	allows("K8S-030", [namespace, quota, limits, default_deny])
	allows("K8S-030", [namespace])
}
