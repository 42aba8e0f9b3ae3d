# METADATA
# title: Shared policy helpers
# description: |
#   Waivers and the result shape every domain uses. A finding is
#   {"id", "severity", "msg", "resource", "field", "document"}; a domain reports unwaived findings in
#   `violations` and validly waived ones in `waived`.
package lib

# The waiver key prefix: annotation (Kubernetes, Kafka, GitOps) or tag (Terraform) `policy.idp-mcp.io/waive-<ID>`.
waiver_prefix := "policy.idp-mcp.io/waive-"

# The key of a rule's waiver, e.g. policy.idp-mcp.io/waive-K8S-001.
waiver_key(id) := concat("", [waiver_prefix, id])

# The env form for GitHub workflows, whose keys cannot hold dots: POLICY_WAIVE_CICD_001.
env_waiver_key(id) := concat("", ["POLICY_WAIVE_", replace(id, "-", "_")])

# The fields of a waiver value "reason=<why>; expires=YYYY-MM-DD".
waiver_fields(value) := {lower(trim_space(kv[0])): trim_space(concat("=", array.slice(kv, 1, count(kv)))) |
	some part in split(value, ";")
	kv := split(part, "=")
	count(kv) >= 2
}

# The status of a waiver value: valid (with reason and expiry) or invalid (with the problem).
check_waiver(value) := {"status": "valid", "reason": f.reason, "expires": f.expires} if {
	is_string(value)
	f := waiver_fields(value)
	f.reason != ""
	time.parse_ns("2006-01-02", f.expires) > time.now_ns()
} else := {"status": "invalid", "problem": waiver_problem(value)}

waiver_problem(value) := "it is not a string \"reason=<why>; expires=YYYY-MM-DD\"" if {
	not is_string(value)
} else := "it gives no reason (add reason=<why>)" if {
	object.get(waiver_fields(value), "reason", "") == ""
} else := "it gives no expiry (add expires=YYYY-MM-DD)" if {
	not waiver_fields(value).expires
} else := sprintf("its expiry %q is not a date YYYY-MM-DD", [waiver_fields(value).expires]) if {
	not time.parse_ns("2006-01-02", waiver_fields(value).expires)
} else := sprintf("it expired on %s", [waiver_fields(value).expires])

# What is reported for a finding whose waiver (if any) is not valid: an invalid waiver is named in the message.
report(f, w) := f if {
	w.status == "none"
} else := object.union(f, {
	"msg": sprintf("%s (waiver %s ignored: %s)", [f.msg, waiver_key(f.id), w.problem]),
	"waiver": w,
})

# What is reported for a validly waived finding.
waived(f, w) := object.union(f, {"waiver": w})

no_waiver := {"status": "none"}

# "Kind/namespace/name" (or "Kind/name") of a Kubernetes-style object.
k8s_resource(doc) := sprintf("%s/%s/%s", [doc.kind, doc.metadata.namespace, doc.metadata.name]) if {
	doc.metadata.namespace
} else := sprintf("%s/%s", [object.get(doc, "kind", "?"), object.get(doc, ["metadata", "name"], "?")])

# A finding on input.documents[i], a Kubernetes-style object.
k8s_finding(id, severity, i, field, msg) := {
	"id": id,
	"severity": severity,
	"msg": msg,
	"resource": k8s_resource(input.documents[i]),
	"field": field,
	"document": i,
}

# The findings of Kubernetes-style objects without a valid waiver annotation.
k8s_violations(findings) := {report(f, w) |
	some f in findings
	w := k8s_waiver(input.documents[f.document], f.id)
	w.status != "valid"
}

# The findings of Kubernetes-style objects a valid waiver annotation covers.
k8s_waived(findings) := {waived(f, w) |
	some f in findings
	w := k8s_waiver(input.documents[f.document], f.id)
	w.status == "valid"
}

# The waiver of rule `id` on a Kubernetes-style object (metadata.annotations).
k8s_waiver(doc, id) := check_waiver(doc.metadata.annotations[waiver_key(id)]) if {
	doc.metadata.annotations[waiver_key(id)]
} else := no_waiver

# A value as a number (numbers and numeric strings), for config values written either way.
num(x) := x if is_number(x)

num(x) := to_number(x) if {
	is_string(x)
	regex.match(`^-?[0-9]+$`, x)
}
