# METADATA
# title: GitOps
# description: |
#   Argo CD Applications, ApplicationSets and AppProjects (argoproj.io/v1alpha1) and Flux Kustomizations,
#   HelmReleases, GitRepositories and OCIRepositories. Input: {"documents": [...], "context": {"environment": "prod"}?}.
#   Production is detected from context.environment, an `environment` label, or a destination namespace named
#   prod / *-prod / production. Config (data.config.gitops): prod_namespace_pattern, require_source_verification
#   (production, always or never).
package gitops

import data.lib

default config := {}

config := data.config.gitops

prod_namespace_pattern := object.get(config, "prod_namespace_pattern", `^(prod|production)$|-(prod|production)$`)

require_verification := object.get(config, "require_source_verification", "production")

# Reported: findings without a valid waiver annotation; waived: findings with one.
violations := lib.k8s_violations(findings)

waived := lib.k8s_waived(findings)

finding(id, severity, i, field, msg) := lib.k8s_finding(id, severity, i, field, msg)

argo(doc) if startswith(object.get(doc, "apiVersion", ""), "argoproj.io/")

flux(doc, group) if startswith(object.get(doc, "apiVersion", ""), concat("", [group, ".toolkit.fluxcd.io/"]))

# Argo CD application specs: an Application's spec, or an ApplicationSet's template spec.
apps contains {"doc": i, "spec": doc.spec, "path": "spec"} if {
	some i, doc in input.documents
	argo(doc)
	doc.kind == "Application"
}

apps contains {"doc": i, "spec": doc.spec.template.spec, "path": "spec.template.spec"} if {
	some i, doc in input.documents
	argo(doc)
	doc.kind == "ApplicationSet"
	is_object(doc.spec.template.spec)
}

# Every source of an application (source, or sources[]), with its path.
sources contains {"app": a, "source": a.spec.source, "path": sprintf("%s.source", [a.path])} if {
	some a in apps
	is_object(a.spec.source)
}

sources contains {"app": a, "source": s, "path": sprintf("%s.sources[%d]", [a.path, k])} if {
	some a in apps
	some k, s in a.spec.sources
}

production(i) if input.context.environment in {"prod", "production"}

production(i) if input.documents[i].metadata.labels.environment in {"prod", "production"}

production(i) if {
	some a in apps
	a.doc == i
	regex.match(prod_namespace_pattern, a.spec.destination.namespace)
}

production(i) if regex.match(prod_namespace_pattern, input.documents[i].metadata.namespace)

# METADATA
# title: Automated sync with self-heal and prune
# description: Argo CD applications set syncPolicy.automated with selfHeal and prune true; Flux Kustomizations set prune true.
# custom:
#   id: GITOPS-001
#   severity: deny
#   rationale: Git is the source of truth only if drift is reverted (selfHeal) and removed objects are deleted (prune).
findings contains finding("GITOPS-001", "deny", a.doc, sprintf("%s.syncPolicy.automated.%s", [a.path, flag]), msg) if {
	some a in apps
	some flag in ["selfHeal", "prune"]
	not object.get(a.spec, ["syncPolicy", "automated", flag], false) == true
	msg := sprintf("automated sync does not %s: set syncPolicy.automated.%s: true", [flag_text[flag], flag])
}

findings contains finding("GITOPS-001", "deny", i, "spec.prune", msg) if {
	some i, doc in input.documents
	flux(doc, "kustomize")
	doc.kind == "Kustomization"
	not doc.spec.prune == true
	msg := "the Kustomization does not prune: set spec.prune: true so objects removed from Git are deleted"
}

flag_text := {"selfHeal": "revert drift (selfHeal)", "prune": "delete removed objects (prune)"}

floating(rev) if rev == ""

floating(rev) if upper(rev) == "HEAD"

floating(rev) if {
	not regex.match(`^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$`, rev)
	not regex.match(`^[0-9a-f]{40}$`, rev)
}

# METADATA
# title: No floating revisions in production
# description: In production, Git sources target a release tag (v1.2.3) or a commit SHA, not HEAD or a branch.
# custom:
#   id: GITOPS-002
#   severity: deny
#   rationale: A branch moves on every merge; production must change only through a reviewed, immutable revision.
findings contains finding("GITOPS-002", "deny", s.app.doc, sprintf("%s.targetRevision", [s.path]), msg) if {
	some s in sources
	not s.source.chart
	production(s.app.doc)
	rev := object.get(s.source, "targetRevision", "")
	floating(rev)
	msg := sprintf("production tracks the floating revision %q: set targetRevision to a release tag (e.g. v1.4.2) or a commit SHA", [rev])
}

findings contains finding("GITOPS-002", "deny", i, "spec.ref", msg) if {
	some i, doc in input.documents
	flux(doc, "source")
	doc.kind == "GitRepository"
	production(i)
	not doc.spec.ref.tag
	not doc.spec.ref.semver
	not doc.spec.ref.commit
	msg := sprintf("production tracks the branch %q: set spec.ref.tag, spec.ref.semver or spec.ref.commit instead of spec.ref.branch", [object.get(doc.spec, ["ref", "branch"], "default")])
}

exact_version(v) if regex.match(`^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$`, v)

# METADATA
# title: Pinned chart versions
# description: Helm charts (Argo CD sources with `chart`, Flux HelmRelease spec.chart.spec.version) name an exact version, not *, a range or nothing.
# custom:
#   id: GITOPS-003
#   severity: deny
#   rationale: A range silently deploys whatever the chart repository publishes next.
findings contains finding("GITOPS-003", "deny", s.app.doc, sprintf("%s.targetRevision", [s.path]), msg) if {
	some s in sources
	s.source.chart
	v := object.get(s.source, "targetRevision", "")
	not exact_version(v)
	msg := sprintf("chart %q version %q is not pinned: set targetRevision to an exact version, e.g. 1.4.2", [s.source.chart, v])
}

findings contains finding("GITOPS-003", "deny", i, "spec.chart.spec.version", msg) if {
	some i, doc in input.documents
	flux(doc, "helm")
	doc.kind == "HelmRelease"
	chart := doc.spec.chart.spec
	v := sprintf("%v", [object.get(chart, "version", "")])
	not exact_version(v)
	msg := sprintf("chart %q version %q is not pinned: set spec.chart.spec.version to an exact version, e.g. 1.4.2", [object.get(chart, "chart", "?"), v])
}

# METADATA
# title: Destination namespace
# description: Argo CD applications set spec.destination.namespace.
# custom:
#   id: GITOPS-004
#   severity: deny
#   rationale: Without it, namespaced objects land wherever their manifests say, or in default.
findings contains finding("GITOPS-004", "deny", a.doc, sprintf("%s.destination.namespace", [a.path]), msg) if {
	some a in apps
	object.get(a.spec, ["destination", "namespace"], "") == ""
	msg := "the application has no destination namespace: set spec.destination.namespace to the team's namespace"
}

# METADATA
# title: Not the default project
# description: Argo CD applications belong to a team project, not `default`.
# custom:
#   id: GITOPS-005
#   severity: deny
#   rationale: The default project may deploy anything anywhere; team projects restrict sources and destinations.
findings contains finding("GITOPS-005", "deny", a.doc, sprintf("%s.project", [a.path]), msg) if {
	some a in apps
	object.get(a.spec, "project", "default") in {"", "default"}
	msg := "the application is in the default project: set spec.project to the team's AppProject (e.g. payments)"
}

# METADATA
# title: Health checks
# description: Flux Kustomizations wait for health (spec.wait true or spec.healthChecks).
# custom:
#   id: GITOPS-006
#   severity: warn
#   rationale: Without health checks a failed rollout reports Ready and dependants proceed.
findings contains finding("GITOPS-006", "warn", i, "spec.wait", msg) if {
	some i, doc in input.documents
	flux(doc, "kustomize")
	doc.kind == "Kustomization"
	object.get(doc, ["spec", "wait"], false) != true
	count(object.get(doc.spec, "healthChecks", [])) == 0
	msg := "the Kustomization does not check health: set spec.wait: true (or list spec.healthChecks) and a spec.timeout"
}

projects contains {"doc": i, "spec": object.get(doc, "spec", {}), "name": object.get(doc, ["metadata", "name"], "?")} if {
	some i, doc in input.documents
	argo(doc)
	doc.kind == "AppProject"
}

# A pattern that matches everything: "*", "**", "*/*".
everything(pattern) if regex.match(`^[*/]+$`, pattern)

# METADATA
# title: AppProject source repositories
# description: Argo CD AppProjects list their source repositories; sourceRepos does not contain "*".
# custom:
#   id: GITOPS-007
#   severity: deny
#   rationale: A project that accepts any repository lets its members deploy manifests nobody on the team reviewed.
findings contains finding("GITOPS-007", "deny", p.doc, sprintf("spec.sourceRepos[%d]", [k]), msg) if {
	some p in projects
	some k, repo in object.get(p.spec, "sourceRepos", [])
	everything(repo)
	msg := sprintf("project %q accepts any source repository (%q): list the team's repositories, e.g. https://github.com/acme/payments-*", [p.name, repo])
}

# METADATA
# title: AppProject destinations
# description: Argo CD AppProject destinations name a cluster (server or name) and a namespace; none is "*".
# custom:
#   id: GITOPS-008
#   severity: deny
#   rationale: A wildcard destination lets a team's applications deploy into every namespace and cluster, including kube-system and other teams'.
findings contains finding("GITOPS-008", "deny", p.doc, sprintf("spec.destinations[%d].%s", [k, field]), msg) if {
	some p in projects
	some k, dest in object.get(p.spec, "destinations", [])
	some field in ["server", "name", "namespace"]
	everything(dest[field])
	msg := sprintf("project %q may deploy to any %s (destinations[%d].%s: %q): name the team's %s, e.g. namespace: payments-*", [p.name, field, k, field, dest[field], field])
}

# METADATA
# title: AppProject cluster resources
# description: Argo CD AppProject clusterResourceWhitelist entries name a group and a kind; neither is "*".
# custom:
#   id: GITOPS-009
#   severity: deny
#   rationale: A wildcard lets the project create ClusterRoles, ClusterRoleBindings, CRDs and webhooks, which amounts to cluster-admin.
findings contains finding("GITOPS-009", "deny", p.doc, sprintf("spec.clusterResourceWhitelist[%d].%s", [k, field]), msg) if {
	some p in projects
	some k, entry in object.get(p.spec, "clusterResourceWhitelist", [])
	some field in ["group", "kind"]
	everything(entry[field])
	msg := sprintf("project %q may create any cluster-scoped %s: list the kinds it needs, e.g. {group: \"\", kind: Namespace}", [p.name, field])
}

verification_required(i) if require_verification == "always"

verification_required(i) if {
	require_verification == "production"
	production(i)
}

verify_hint := {
	"GitRepository": "spec.verify: {mode: HEAD, secretRef: {name: <public keys>}} (signed commits or tags)",
	"OCIRepository": "spec.verify: {provider: cosign} (or notation, with a secretRef or matchOIDCIdentity)",
	"HelmChart": "spec.verify: {provider: cosign} (OCI charts)",
}

# METADATA
# title: Verified Flux sources
# description: Where the platform requires it (production by default; require_source_verification production, always or never), Flux GitRepository, OCIRepository and HelmChart sources set spec.verify.
# custom:
#   id: GITOPS-010
#   severity: deny
#   rationale: Without signature verification whoever can push to the repository or registry decides what runs in production.
findings contains finding("GITOPS-010", "deny", i, "spec.verify", msg) if {
	some i, doc in input.documents
	flux(doc, "source")
	verify_hint[doc.kind]
	verification_required(i)
	not doc.spec.verify
	msg := sprintf("the %s is not verified: set %s", [doc.kind, verify_hint[doc.kind]])
}
