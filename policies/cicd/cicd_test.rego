package cicd_test

import data.cicd

sha := "11bd71901bbe5b1630ceea73d27597364c9af683"

workflow := {
	"name": "ci",
	"on": {"push": {"branches": ["main"]}, "pull_request": {}},
	"permissions": {"contents": "read"},
	"jobs": {
		"test": {
			"runs-on": "ubuntu-latest",
			"timeout-minutes": 15,
			"steps": [
				{"uses": concat("", ["actions/checkout@", sha]), "with": {"persist-credentials": false}},
				{"uses": "./.github/actions/setup"},
				{"run": "npm ci && npm test", "env": {"NPM_TOKEN": "${{ secrets.NPM_TOKEN }}"}},
			],
		},
		"release": {"uses": concat("", ["acme/workflows/.github/workflows/release.yml@", sha])},
	},
}

# A compliant document, shown by explain_rule (and checked to pass in vitest).
example := [workflow]

ids(docs) := {v.id | some v in cicd.violations with input as {"documents": docs}}

with_ops(ops) := [json.patch(workflow, ops)]

test_compliant_workflow_has_no_violations if {
	count(ids([workflow])) == 0
}

test_CICD_001_denied if {
	"CICD-001" in ids(with_ops([{"op": "replace", "path": "/jobs/test/steps/0/uses", "value": "actions/checkout@v4"}]))
	"CICD-001" in ids(with_ops([{"op": "replace", "path": "/jobs/release/uses", "value": "acme/workflows/.github/workflows/release.yml@main"}]))
}

test_CICD_001_allowed if {
	not "CICD-001" in ids(with_ops([{"op": "add", "path": "/jobs/test/steps/-", "value": {"uses": "docker://alpine:3.20"}}]))
}

test_CICD_001_field_and_message if {
	some v in cicd.violations with input as {"documents": with_ops([{"op": "replace", "path": "/jobs/test/steps/0/uses", "value": "actions/checkout@v4"}])}
	v.field == "jobs.test.steps[0].uses"
	v.resource == "ci job test"
	contains(v.msg, "actions/checkout@<40-hex sha> # v4")
}

test_CICD_002_denied if {
	"CICD-002" in ids(with_ops([{"op": "replace", "path": "/jobs/test/steps/2/run", "value": "curl -fsSL https://get.example.sh | bash"}]))
	"CICD-002" in ids(with_ops([{"op": "replace", "path": "/jobs/test/steps/2/run", "value": "wget -qO- https://x.io/i.sh | sudo sh"}]))
	"CICD-002" in ids(with_ops([{"op": "replace", "path": "/jobs/test/steps/2/run", "value": "bash <(curl -s https://x.io/i.sh)"}]))
}

test_CICD_002_allowed if {
	not "CICD-002" in ids(with_ops([{"op": "replace", "path": "/jobs/test/steps/2/run", "value": "curl -fsSLo i.sh https://x.io/i.sh\nsha256sum -c i.sh.sha256\nbash i.sh"}]))
}

prt(ref) := json.patch(workflow, [
	{"op": "replace", "path": "/on", "value": {"pull_request_target": {"types": ["opened"]}}},
	{"op": "add", "path": "/jobs/test/steps/0/with/ref", "value": ref},
])

wr(ref) := json.patch(workflow, [
	{"op": "replace", "path": "/on", "value": {"workflow_run": {"workflows": ["ci"], "types": ["completed"]}}},
	{"op": "add", "path": "/jobs/test/steps/0/with/ref", "value": ref},
])

test_CICD_003_denied if {
	"CICD-003" in ids([prt("${{ github.event.pull_request.head.sha }}")])
	"CICD-003" in ids([wr("${{ github.event.workflow_run.head_sha }}")])
	"CICD-003" in ids([json.patch(prt("main"), [{"op": "add", "path": "/jobs/test/steps/0/with/repository", "value": "${{ github.event.pull_request.head.repo.full_name }}"}])])
	"CICD-003" in ids([json.patch(prt("main"), [{"op": "replace", "path": "/jobs/test/steps/2/run", "value": "gh pr checkout ${{ github.event.number }}\nnpm ci"}])])
}

test_CICD_003_allowed if {
	not "CICD-003" in ids([prt("main")])
	not "CICD-003" in ids([wr("${{ github.event.repository.default_branch }}")])
}

test_CICD_004_denied if {
	"CICD-004" in ids(with_ops([{"op": "remove", "path": "/permissions"}]))
}

test_CICD_004_allowed if {
	not "CICD-004" in ids(with_ops([{"op": "replace", "path": "/permissions", "value": {}}]))
}

test_CICD_005_denied if {
	"CICD-005" in ids(with_ops([{"op": "replace", "path": "/permissions", "value": "write-all"}]))
	"CICD-005" in ids(with_ops([{"op": "add", "path": "/jobs/test/permissions", "value": "write-all"}]))
}

test_CICD_005_allowed if {
	not "CICD-005" in ids(with_ops([{"op": "add", "path": "/jobs/test/permissions", "value": {"packages": "write"}}]))
}

test_CICD_006_denied if {
	some v in cicd.violations with input as {"documents": with_ops([{"op": "remove", "path": "/jobs/test/timeout-minutes"}])}
	v.id == "CICD-006"
	v.severity == "warn"
}

test_CICD_006_allowed if {
	not "CICD-006" in ids([workflow])
}

test_CICD_007_denied if {
	"CICD-007" in ids(with_ops([{"op": "replace", "path": "/jobs/test/steps/2/run", "value": "echo \"token is ${{ secrets.NPM_TOKEN }}\""}]))
}

test_CICD_007_allowed if {
	not "CICD-007" in ids(with_ops([{"op": "replace", "path": "/jobs/test/steps/2/run", "value": "echo \"publishing\" && npm publish"}]))
}

test_waiver_in_workflow_env if {
	docs := with_ops([
		{"op": "remove", "path": "/jobs/test/timeout-minutes"},
		{"op": "add", "path": "/env", "value": {"POLICY_WAIVE_CICD_006": "reason=matrix of long e2e suites; expires=2099-01-01"}},
	])
	not "CICD-006" in ids(docs)
	some w in cicd.waived with input as {"documents": docs}
	w.id == "CICD-006"
}

test_file_name_from_context if {
	some v in cicd.violations with input as {"documents": with_ops([{"op": "remove", "path": "/permissions"}]), "context": {"files": [".github/workflows/ci.yml"]}}
	v.resource == ".github/workflows/ci.yml"
}

run_step(script) := with_ops([{"op": "replace", "path": "/jobs/test/steps/2/run", "value": script}])

test_CICD_008_denied if {
	"CICD-008" in ids(run_step("echo \"${{ github.event.issue.title }}\""))
	"CICD-008" in ids(run_step("git push origin ${{ github.head_ref }}"))
	"CICD-008" in ids(run_step("./notify.sh '${{ github.event.pull_request.head.ref }}'"))
	"CICD-008" in ids(run_step("echo ${{ github.event.commits[0].message }}"))
	"CICD-008" in ids(with_ops([{"op": "replace", "path": "/jobs/test/steps/2", "value": {
		"uses": concat("", ["actions/github-script@", sha]),
		"with": {"script": "github.rest.issues.createComment({body: `Thanks for ${{ github.event.comment.body }}`})"},
	}}]))
}

test_CICD_008_field_and_message if {
	some v in cicd.violations with input as {"documents": run_step("echo \"${{ github.event.issue.title }}\"")}
	v.id == "CICD-008"
	v.field == "jobs.test.steps[2].run"
	contains(v.msg, "env:")
}

test_CICD_008_allowed if {
	not "CICD-008" in ids(run_step("echo \"$TITLE\""))
	not "CICD-008" in ids(run_step("echo ${{ github.event.pull_request.number }} ${{ github.sha }} ${{ github.event.issue.id }}"))
}

self_hosted(trigger, runs_on) := json.patch(workflow, [
	{"op": "replace", "path": "/on", "value": {trigger: {}}},
	{"op": "replace", "path": "/jobs/test/runs-on", "value": runs_on},
])

test_CICD_009_denied if {
	"CICD-009" in ids([self_hosted("pull_request", "self-hosted")])
	"CICD-009" in ids([self_hosted("issue_comment", ["self-hosted", "linux", "x64"])])
	"CICD-009" in ids([self_hosted("pull_request_target", {"group": "build", "labels": ["self-hosted"]})])
}

test_CICD_009_allowed if {
	not "CICD-009" in ids([self_hosted("push", ["self-hosted", "linux"])])
	not "CICD-009" in ids([self_hosted("pull_request", "ubuntu-latest")])
}

test_CICD_009_configurable if {
	found := ids([self_hosted("pull_request", "self-hosted")]) with data.config.cicd.fork_triggers as []
	not "CICD-009" in found
}

test_CICD_010_denied if {
	"CICD-010" in ids(with_ops([{"op": "add", "path": "/jobs/test/container", "value": "node:22"}]))
	"CICD-010" in ids(with_ops([{"op": "add", "path": "/jobs/test/services", "value": {"db": {"image": "postgres:17"}}}]))
	"CICD-010" in ids(with_ops([{"op": "add", "path": "/jobs/test/steps/-", "value": {"uses": "docker://alpine:3.20"}}]))
}

test_CICD_010_allowed if {
	digest := "@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"
	not "CICD-010" in ids(with_ops([
		{"op": "add", "path": "/jobs/test/container", "value": {"image": concat("", ["node:22", digest])}},
		{"op": "add", "path": "/jobs/test/services", "value": {"db": {"image": concat("", ["postgres:17", digest])}}},
	]))
}

test_CICD_011_denied if {
	"CICD-011" in ids(with_ops([{"op": "remove", "path": "/jobs/test/steps/0/with"}]))
	"CICD-011" in ids(with_ops([{"op": "replace", "path": "/jobs/test/steps/0/with/persist-credentials", "value": true}]))
}

test_CICD_011_allowed if {
	not "CICD-011" in ids([workflow])
	not "CICD-011" in ids(with_ops([{"op": "replace", "path": "/jobs/test/steps/0/with/persist-credentials", "value": "false"}]))
}
