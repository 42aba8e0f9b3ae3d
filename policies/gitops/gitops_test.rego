package gitops_test

import data.gitops

application := {
	"apiVersion": "argoproj.io/v1alpha1",
	"kind": "Application",
	"metadata": {"name": "payments-api-prod", "namespace": "argocd"},
	"spec": {
		"project": "payments",
		"source": {"repoURL": "https://github.com/acme/gitops", "path": "apps/payments-api/prod", "targetRevision": "v1.4.2"},
		"destination": {"server": "https://kubernetes.default.svc", "namespace": "payments-prod"},
		"syncPolicy": {"automated": {"selfHeal": true, "prune": true}},
	},
}

kustomization := {
	"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
	"kind": "Kustomization",
	"metadata": {"name": "payments", "namespace": "flux-system"},
	"spec": {"interval": "5m", "path": "./payments", "prune": true, "wait": true, "sourceRef": {"kind": "GitRepository", "name": "gitops"}},
}

helm_release := {
	"apiVersion": "helm.toolkit.fluxcd.io/v2",
	"kind": "HelmRelease",
	"metadata": {"name": "redis", "namespace": "payments"},
	"spec": {"chart": {"spec": {"chart": "redis", "version": "19.6.4", "sourceRef": {"kind": "HelmRepository", "name": "bitnami"}}}},
}

# Compliant documents, shown by explain_rule (and checked to pass in vitest); `example` by default.
example := [application]

project := {
	"apiVersion": "argoproj.io/v1alpha1",
	"kind": "AppProject",
	"metadata": {"name": "payments", "namespace": "argocd"},
	"spec": {
		"sourceRepos": ["https://github.com/acme/gitops.git", "https://github.com/acme/payments-*"],
		"destinations": [{"server": "https://kubernetes.default.svc", "namespace": "payments-*"}],
		"clusterResourceWhitelist": [{"group": "", "kind": "Namespace"}],
	},
}

git_repository := {
	"apiVersion": "source.toolkit.fluxcd.io/v1",
	"kind": "GitRepository",
	"metadata": {"name": "gitops", "namespace": "flux-system", "labels": {"environment": "prod"}},
	"spec": {"url": "https://github.com/acme/gitops", "ref": {"tag": "v1.4.2"}, "verify": {"mode": "HEAD", "secretRef": {"name": "pgp-public-keys"}}},
}

examples := {
	"GITOPS-006": [kustomization],
	"GITOPS-007": [project],
	"GITOPS-008": [project],
	"GITOPS-009": [project],
	"GITOPS-010": [git_repository],
}

ids(docs) := {v.id | some v in gitops.violations with input as {"documents": docs}}

app_ops(ops) := [json.patch(application, ops)]

test_compliant_documents_have_no_violations if {
	count(ids([application, kustomization, helm_release])) == 0
}

test_GITOPS_001_denied if {
	"GITOPS-001" in ids(app_ops([{"op": "remove", "path": "/spec/syncPolicy/automated/selfHeal"}]))
	"GITOPS-001" in ids(app_ops([{"op": "remove", "path": "/spec/syncPolicy"}]))
	"GITOPS-001" in ids([json.patch(kustomization, [{"op": "replace", "path": "/spec/prune", "value": false}])])
}

test_GITOPS_001_allowed if {
	not "GITOPS-001" in ids([application, kustomization])
}

test_GITOPS_002_denied if {
	"GITOPS-002" in ids(app_ops([{"op": "replace", "path": "/spec/source/targetRevision", "value": "HEAD"}]))
	"GITOPS-002" in ids(app_ops([{"op": "replace", "path": "/spec/source/targetRevision", "value": "main"}]))
	"GITOPS-002" in ids([{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
		"metadata": {"name": "gitops", "namespace": "flux-system", "labels": {"environment": "prod"}},
		"spec": {"url": "https://github.com/acme/gitops", "ref": {"branch": "main"}},
	}])
}

test_GITOPS_002_allowed_outside_prod if {
	not "GITOPS-002" in ids(app_ops([
		{"op": "replace", "path": "/spec/source/targetRevision", "value": "HEAD"},
		{"op": "replace", "path": "/spec/destination/namespace", "value": "payments-dev"},
	]))
}

test_GITOPS_002_allowed if {
	not "GITOPS-002" in ids(app_ops([{"op": "replace", "path": "/spec/source/targetRevision", "value": "5f2b7c0d9e8a4b3c2d1e0f9a8b7c6d5e4f3a2b1c"}]))
}

test_GITOPS_002_prod_from_context if {
	docs := app_ops([
		{"op": "replace", "path": "/spec/source/targetRevision", "value": "main"},
		{"op": "replace", "path": "/spec/destination/namespace", "value": "payments"},
	])
	not "GITOPS-002" in ids(docs)
	some v in gitops.violations with input as {"documents": docs, "context": {"environment": "prod"}}
	v.id == "GITOPS-002"
}

test_GITOPS_003_denied if {
	"GITOPS-003" in ids(app_ops([{"op": "replace", "path": "/spec/source", "value": {"repoURL": "https://charts.bitnami.com/bitnami", "chart": "redis", "targetRevision": "19.*"}}]))
	"GITOPS-003" in ids([json.patch(helm_release, [{"op": "replace", "path": "/spec/chart/spec/version", "value": ">=19.0.0"}])])
	"GITOPS-003" in ids([json.patch(helm_release, [{"op": "remove", "path": "/spec/chart/spec/version"}])])
}

test_GITOPS_003_allowed if {
	not "GITOPS-003" in ids(app_ops([{"op": "replace", "path": "/spec/source", "value": {"repoURL": "https://charts.bitnami.com/bitnami", "chart": "redis", "targetRevision": "19.6.4"}}]))
	not "GITOPS-003" in ids([helm_release])
}

test_GITOPS_004_denied if {
	"GITOPS-004" in ids(app_ops([{"op": "remove", "path": "/spec/destination/namespace"}]))
}

test_GITOPS_004_allowed if {
	not "GITOPS-004" in ids([application])
}

test_GITOPS_005_denied if {
	"GITOPS-005" in ids(app_ops([{"op": "replace", "path": "/spec/project", "value": "default"}]))
	"GITOPS-005" in ids(app_ops([{"op": "remove", "path": "/spec/project"}]))
}

test_GITOPS_005_allowed if {
	not "GITOPS-005" in ids([application])
}

test_GITOPS_006_denied if {
	some v in gitops.violations with input as {"documents": [json.patch(kustomization, [{"op": "remove", "path": "/spec/wait"}])]}
	v.id == "GITOPS-006"
	v.severity == "warn"
}

test_GITOPS_006_allowed if {
	not "GITOPS-006" in ids([json.patch(kustomization, [
		{"op": "remove", "path": "/spec/wait"},
		{"op": "add", "path": "/spec/healthChecks", "value": [{"kind": "Deployment", "name": "payments-api", "namespace": "payments"}]},
	])])
}

test_applicationset_template_is_checked if {
	appset := {
		"apiVersion": "argoproj.io/v1alpha1",
		"kind": "ApplicationSet",
		"metadata": {"name": "payments", "namespace": "argocd"},
		"spec": {"generators": [{"list": {"elements": [{"env": "dev"}]}}], "template": {"metadata": {"name": "payments-{{env}}"}, "spec": json.patch(application.spec, [{"op": "replace", "path": "/project", "value": "default"}])}},
	}
	some v in gitops.violations with input as {"documents": [appset]}
	v.id == "GITOPS-005"
	v.field == "spec.template.spec.project"
}

test_waiver_on_application if {
	docs := app_ops([
		{"op": "replace", "path": "/spec/project", "value": "default"},
		{"op": "add", "path": "/metadata/annotations", "value": {"policy.idp-mcp.io/waive-GITOPS-005": "reason=bootstrap app of apps; expires=2099-01-01"}},
	])
	not "GITOPS-005" in ids(docs)
}

project_ops(ops) := [json.patch(project, ops)]

test_GITOPS_007_denied if {
	"GITOPS-007" in ids(project_ops([{"op": "add", "path": "/spec/sourceRepos/-", "value": "*"}]))
}

test_GITOPS_007_allowed if {
	not "GITOPS-007" in ids([project])
}

test_GITOPS_008_denied if {
	"GITOPS-008" in ids(project_ops([{"op": "replace", "path": "/spec/destinations/0/namespace", "value": "*"}]))
	"GITOPS-008" in ids(project_ops([{"op": "replace", "path": "/spec/destinations/0", "value": {"name": "*", "namespace": "payments"}}]))
}

test_GITOPS_008_allowed if {
	not "GITOPS-008" in ids([project])
}

test_GITOPS_009_denied if {
	"GITOPS-009" in ids(project_ops([{"op": "replace", "path": "/spec/clusterResourceWhitelist/0", "value": {"group": "*", "kind": "*"}}]))
	"GITOPS-009" in ids(project_ops([{"op": "replace", "path": "/spec/clusterResourceWhitelist/0", "value": {"group": "rbac.authorization.k8s.io", "kind": "*"}}]))
}

test_GITOPS_009_allowed if {
	not "GITOPS-009" in ids([project])
}

test_GITOPS_010_denied if {
	"GITOPS-010" in ids([json.patch(git_repository, [{"op": "remove", "path": "/spec/verify"}])])
	oci := {"apiVersion": "source.toolkit.fluxcd.io/v1beta2", "kind": "OCIRepository", "metadata": {"name": "manifests", "namespace": "flux-system"}, "spec": {"url": "oci://ghcr.io/acme/manifests", "ref": {"tag": "1.0.0"}}}
	found := ids([oci]) with data.config.gitops.require_source_verification as "always"
	"GITOPS-010" in found
}

test_GITOPS_010_allowed if {
	not "GITOPS-010" in ids([git_repository])
	dev := json.patch(git_repository, [{"op": "remove", "path": "/spec/verify"}, {"op": "replace", "path": "/metadata/labels/environment", "value": "dev"}])
	not "GITOPS-010" in ids([dev])
	prod := json.patch(git_repository, [{"op": "remove", "path": "/spec/verify"}])
	found := ids([prod]) with data.config.gitops.require_source_verification as "never"
	not "GITOPS-010" in found
}
