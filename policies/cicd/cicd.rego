# METADATA
# title: CI/CD
# description: |
#   GitHub Actions workflows (the YAML parsed to JSON). Input: {"documents": [<workflow>, ...]}; a document's
#   `name` (or input.context.files[i]) names it in results. Waivers: workflow-level env
#   POLICY_WAIVE_<ID with _> (e.g. POLICY_WAIVE_CICD_006: "reason=...; expires=YYYY-MM-DD").
package cicd

import data.lib

violations contains lib.report(f, w) if {
	some f in findings
	w := waiver(f)
	w.status != "valid"
}

waived contains lib.waived(f, w) if {
	some f in findings
	w := waiver(f)
	w.status == "valid"
}

waiver(f) := lib.check_waiver(input.documents[f.document].env[lib.env_waiver_key(f.id)]) if {
	input.documents[f.document].env[lib.env_waiver_key(f.id)]
} else := lib.no_waiver

workflows contains i if {
	some i, doc in input.documents
	is_object(doc.jobs)
}

workflow_name(i) := input.context.files[i] if {
	input.context.files[i]
} else := input.documents[i].name if {
	input.documents[i].name
} else := sprintf("workflow #%d", [i + 1])

finding(id, severity, i, job, field, msg) := {
	"id": id,
	"severity": severity,
	"msg": msg,
	"resource": resource(i, job),
	"field": field,
	"document": i,
}

resource(i, "") := workflow_name(i)

resource(i, job) := sprintf("%s job %s", [workflow_name(i), job]) if job != ""

steps contains {"doc": i, "job": job_id, "step": step, "field": sprintf("jobs.%s.steps[%d]", [job_id, k])} if {
	some i in workflows
	some job_id, job in input.documents[i].jobs
	some k, step in object.get(job, "steps", [])
}

triggers(doc) := {doc.on} if is_string(doc.on)

triggers(doc) := {t | some t in doc.on} if is_array(doc.on)

triggers(doc) := object.keys(doc.on) if is_object(doc.on)

# METADATA
# title: Actions pinned by commit SHA
# description: Every `uses:` names a full 40-character commit SHA (local ./ actions and docker:// images excepted).
# custom:
#   id: CICD-001
#   severity: deny
#   rationale: A tag or branch can be moved to malicious code after review (tj-actions/changed-files, 2025).
findings contains finding("CICD-001", "deny", s.doc, s.job, sprintf("%s.uses", [s.field]), msg) if {
	some s in steps
	not pinned(s.step.uses)
	msg := sprintf("step uses %q, which is not pinned: use the full commit SHA of the release, e.g. %s@<40-hex sha> # %s", [s.step.uses, split(s.step.uses, "@")[0], ref_of(s.step.uses)])
}

findings contains finding("CICD-001", "deny", i, job_id, sprintf("jobs.%s.uses", [job_id]), msg) if {
	some i in workflows
	some job_id, job in input.documents[i].jobs
	not pinned(job.uses)
	msg := sprintf("job calls reusable workflow %q, which is not pinned: use its full commit SHA after @", [job.uses])
}

pinned(uses) if startswith(uses, "./")

pinned(uses) if startswith(uses, "docker://")

pinned(uses) if regex.match(`@[0-9a-f]{40}$`, uses)

ref_of(uses) := split(uses, "@")[1] if contains(uses, "@") else := "no ref"

# METADATA
# title: No pipe-to-shell
# description: run steps must not pipe a download into a shell (curl ... | bash, wget -O- | sh, bash <(curl ...)).
# custom:
#   id: CICD-002
#   severity: deny
#   rationale: Whatever the server returns at that moment runs with the job's token and secrets.
findings contains finding("CICD-002", "deny", s.doc, s.job, sprintf("%s.run", [s.field]), msg) if {
	some s in steps
	is_string(s.step.run)
	pipes_to_shell(s.step.run)
	msg := "the step pipes a download into a shell: download the script, verify its checksum (sha256sum -c), then run it, or use a pinned action"
}

pipes_to_shell(run) if regex.match(`(curl|wget)\b[^\n|]*\|\s*(sudo\s+)?(-\S+\s+)*(ba|z|da|k)?sh\b`, run)

pipes_to_shell(run) if regex.match(`(ba|z)?sh\s+<\(\s*(curl|wget)\b`, run)

# METADATA
# title: pull_request_target does not check out the pull request
# description: A workflow triggered by pull_request_target must not check out the pull request's head.
# custom:
#   id: CICD-003
#   severity: deny
#   rationale: pull_request_target runs with secrets and a write token; building untrusted PR code there hands both to the PR author.
findings contains finding("CICD-003", "deny", s.doc, s.job, sprintf("%s.with.ref", [s.field]), msg) if {
	some s in steps
	"pull_request_target" in triggers(input.documents[s.doc])
	startswith(object.get(s.step, "uses", ""), "actions/checkout")
	regex.match(`github\.event\.pull_request\.head|github\.head_ref|refs/pull/`, sprintf("%v", [object.get(s.step, ["with", "ref"], "")]))
	msg := "a pull_request_target workflow checks out the pull request's code: use the pull_request trigger for building PR code, or keep pull_request_target to labelling/commenting without checkout of the head"
}

# METADATA
# title: Top-level permissions
# description: The workflow sets a top-level `permissions` block (least privilege, e.g. contents read).
# custom:
#   id: CICD-004
#   severity: deny
#   rationale: Without it GITHUB_TOKEN gets the repository's default, often write to everything.
findings contains finding("CICD-004", "deny", i, "", "permissions", msg) if {
	some i in workflows
	not "permissions" in object.keys(input.documents[i])
	msg := "the workflow sets no top-level permissions: add `permissions: { contents: read }` and grant more per job only where needed"
}

# METADATA
# title: No write-all permissions
# description: Neither the workflow nor a job grants `permissions` write-all.
# custom:
#   id: CICD-005
#   severity: deny
#   rationale: write-all gives the token every scope, including workflows and packages.
findings contains finding("CICD-005", "deny", i, "", "permissions", msg) if {
	some i in workflows
	input.documents[i].permissions == "write-all"
	msg := "the workflow grants permissions: write-all: list only the scopes it needs, e.g. { contents: read, pull-requests: write }"
}

findings contains finding("CICD-005", "deny", i, job_id, sprintf("jobs.%s.permissions", [job_id]), msg) if {
	some i in workflows
	some job_id, job in input.documents[i].jobs
	job.permissions == "write-all"
	msg := "the job grants permissions: write-all: list only the scopes it needs, e.g. { contents: read, packages: write }"
}

# METADATA
# title: Job timeouts
# description: Every job (except reusable-workflow calls) sets timeout-minutes.
# custom:
#   id: CICD-006
#   severity: warn
#   rationale: The default timeout is 6 hours; a hung job burns runner minutes and blocks the queue.
findings contains finding("CICD-006", "warn", i, job_id, sprintf("jobs.%s.timeout-minutes", [job_id]), msg) if {
	some i in workflows
	some job_id, job in input.documents[i].jobs
	not job.uses
	not job["timeout-minutes"]
	msg := "the job has no timeout-minutes (default 360): set timeout-minutes to a little over its usual duration, e.g. 15"
}

# METADATA
# title: No secrets echoed
# description: run steps must not echo or print secrets (echo/printf/cat with ${{ secrets.* }}).
# custom:
#   id: CICD-007
#   severity: deny
#   rationale: Masking is best-effort; transformed or partial secrets end up readable in the logs.
findings contains finding("CICD-007", "deny", s.doc, s.job, sprintf("%s.run", [s.field]), msg) if {
	some s in steps
	is_string(s.step.run)
	regex.match(`(echo|printf|print)\b[^\n]*\$\{\{\s*secrets\.`, s.step.run)
	msg := "the step prints a secret: pass it through env: (e.g. env: { TOKEN: ${{ secrets.TOKEN }} }) to the command that needs it and never echo it"
}
