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
				{"uses": concat("", ["actions/checkout@", sha])},
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
	{"op": "add", "path": "/jobs/test/steps/0/with", "value": {"ref": ref}},
])

test_CICD_003_denied if {
	"CICD-003" in ids([prt("${{ github.event.pull_request.head.sha }}")])
}

test_CICD_003_allowed if {
	not "CICD-003" in ids([prt("main")])
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
