# METADATA
# title: Kafka
# description: |
#   Strimzi KafkaTopic and KafkaUser resources (kafka.strimzi.io). Input: {"documents": [<KafkaTopic>, ...]}. Config
#   (data.config.kafka): min_partitions, min_replicas, min_insync_replicas, max_retention_ms, topic_name_pattern,
#   topic_owner_labels.
package kafka

import data.lib

default config := {}

config := data.config.kafka

min_partitions := object.get(config, "min_partitions", 3)

min_replicas := object.get(config, "min_replicas", 3)

min_insync := object.get(config, "min_insync_replicas", 2)

# 30 days.
max_retention_ms := object.get(config, "max_retention_ms", 2592000000)

topic_owner_labels := object.get(config, "topic_owner_labels", ["owner"])

name_pattern := object.get(config, "topic_name_pattern", `^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[0-9]+$`)

# Reported: findings without a valid waiver annotation; waived: findings with one.
violations := lib.k8s_violations(findings)

waived := lib.k8s_waived(findings)

finding(id, severity, i, field, msg) := lib.k8s_finding(id, severity, i, field, msg)

topics contains {"doc": i, "spec": object.get(doc, "spec", {}), "config": object.get(doc, ["spec", "config"], {}), "name": object.get(doc, ["spec", "topicName"], object.get(doc, ["metadata", "name"], ""))} if {
	some i, doc in input.documents
	doc.kind == "KafkaTopic"
	startswith(object.get(doc, "apiVersion", ""), "kafka.strimzi.io/")
}

# METADATA
# title: Minimum partitions
# description: spec.partitions must be at least min_partitions (default 3).
# custom:
#   id: KAFKA-001
#   severity: deny
#   rationale: Partitions bound consumer parallelism; growing them later reshuffles keys across partitions.
findings contains finding("KAFKA-001", "deny", t.doc, "spec.partitions", msg) if {
	some t in topics
	not object.get(t.spec, "partitions", 0) >= min_partitions
	msg := sprintf("topic %q has %v partitions: set spec.partitions to at least %d", [t.name, object.get(t.spec, "partitions", "no"), min_partitions])
}

# METADATA
# title: Minimum replicas
# description: spec.replicas must be at least min_replicas (default 3).
# custom:
#   id: KAFKA-002
#   severity: deny
#   rationale: With fewer than 3 replicas one broker restart leaves a partition without a spare copy.
findings contains finding("KAFKA-002", "deny", t.doc, "spec.replicas", msg) if {
	some t in topics
	not object.get(t.spec, "replicas", 0) >= min_replicas
	msg := sprintf("topic %q has %v replicas: set spec.replicas to at least %d", [t.name, object.get(t.spec, "replicas", "no"), min_replicas])
}

# METADATA
# title: min.insync.replicas
# description: spec.config["min.insync.replicas"] must be at least 2 (and below replicas).
# custom:
#   id: KAFKA-003
#   severity: deny
#   rationale: With acks=all, min.insync.replicas >= 2 is what makes an acknowledged write survive a broker loss.
findings contains finding("KAFKA-003", "deny", t.doc, "spec.config[\"min.insync.replicas\"]", msg) if {
	some t in topics
	not lib.num(object.get(t.config, "min.insync.replicas", 0)) >= min_insync
	msg := sprintf("topic %q has min.insync.replicas %v: set spec.config[\"min.insync.replicas\"] to at least %d", [t.name, object.get(t.config, "min.insync.replicas", "unset"), min_insync])
}

findings contains finding("KAFKA-003", "deny", t.doc, "spec.config[\"min.insync.replicas\"]", msg) if {
	some t in topics
	lib.num(t.config["min.insync.replicas"]) >= t.spec.replicas
	msg := sprintf("topic %q has min.insync.replicas %v with %v replicas, so one broker down stops all writes: set it below spec.replicas (e.g. %d)", [t.name, t.config["min.insync.replicas"], t.spec.replicas, t.spec.replicas - 1])
}

# METADATA
# title: Bounded retention
# description: Topics that delete old records (cleanup.policy delete, the default, or "compact,delete") set spec.config["retention.ms"], not -1, at most max_retention_ms (default 30 days).
# custom:
#   id: KAFKA-004
#   severity: deny
#   rationale: Unbounded retention fills broker disks and keeps personal data longer than allowed. Compact-only topics keep the latest record per key instead and are exempt.
findings contains finding("KAFKA-004", "deny", t.doc, "spec.config[\"retention.ms\"]", msg) if {
	some t in topics
	deletes(t.config)
	not retention_ok(t.config)
	msg := sprintf("topic %q has retention.ms %v: set spec.config[\"retention.ms\"] to a positive number of milliseconds, at most %d (e.g. 604800000 = 7 days)", [t.name, object.get(t.config, "retention.ms", "unset"), max_retention_ms])
}

# Whether old records are deleted by time: any cleanup.policy but compact alone.
deletes(config) if not object.get(config, "cleanup.policy", "delete") == "compact"

retention_ok(config) if {
	ms := lib.num(config["retention.ms"])
	ms > 0
	ms <= max_retention_ms
}

# METADATA
# title: cleanup.policy set
# description: spec.config["cleanup.policy"] must be set to delete, compact or "compact,delete".
# custom:
#   id: KAFKA-005
#   severity: deny
#   rationale: The cleanup policy decides whether old records are deleted or compacted; it must be a decision, not a broker default.
findings contains finding("KAFKA-005", "deny", t.doc, "spec.config[\"cleanup.policy\"]", msg) if {
	some t in topics
	not object.get(t.config, "cleanup.policy", "") in {"delete", "compact", "compact,delete", "delete,compact"}
	msg := sprintf("topic %q has cleanup.policy %v: set spec.config[\"cleanup.policy\"] to delete, compact or \"compact,delete\"", [t.name, object.get(t.config, "cleanup.policy", "unset")])
}

# METADATA
# title: Topic naming convention
# description: Topic names follow <domain>.<name>.<version>, e.g. payments.transactions.v1 (pattern configurable).
# custom:
#   id: KAFKA-006
#   severity: deny
#   rationale: A predictable name tells who owns a topic and lets ACLs be granted by prefix.
findings contains finding("KAFKA-006", "deny", t.doc, field, msg) if {
	some t in topics
	not regex.match(name_pattern, t.name)
	field := name_field(input.documents[t.doc])
	msg := sprintf("topic name %q does not follow <domain>.<name>.<version> (%s): rename it, e.g. payments.transactions.v1", [t.name, name_pattern])
}

name_field(doc) := "spec.topicName" if doc.spec.topicName else := "metadata.name"

# METADATA
# title: Strimzi cluster label
# description: metadata.labels["strimzi.io/cluster"] must name the Kafka cluster.
# custom:
#   id: KAFKA-007
#   severity: warn
#   rationale: The Strimzi topic operator ignores a KafkaTopic without it, so the topic silently never exists. A warning, not a deny, because topics created through the Kafka admin API are checked in the same form and need no label.
findings contains finding("KAFKA-007", "warn", t.doc, "metadata.labels[\"strimzi.io/cluster\"]", msg) if {
	some t in topics
	not input.documents[t.doc].metadata.labels["strimzi.io/cluster"]
	msg := sprintf("topic %q names no Kafka cluster: add metadata.labels[\"strimzi.io/cluster\"] (e.g. platform-kafka)", [t.name])
}

# METADATA
# title: Topic owner label
# description: KafkaTopic resources for a Strimzi cluster (labelled strimzi.io/cluster) carry the owner labels (default owner; topic_owner_labels).
# custom:
#   id: KAFKA-008
#   severity: deny
#   rationale: A topic without an owner cannot be asked about its data, its consumers or its deletion. Topics created through the Kafka admin API carry no labels and are exempt.
findings contains finding("KAFKA-008", "deny", t.doc, sprintf("metadata.labels[%q]", [label]), msg) if {
	some t in topics
	input.documents[t.doc].metadata.labels["strimzi.io/cluster"]
	some label in topic_owner_labels
	not input.documents[t.doc].metadata.labels[label]
	msg := sprintf("topic %q has no %q label: add metadata.labels[%q] naming the owning team or person", [t.name, label, label])
}

users contains {"doc": i, "name": object.get(doc, ["metadata", "name"], "?"), "acls": object.get(doc, ["spec", "authorization", "acls"], [])} if {
	some i, doc in input.documents
	doc.kind == "KafkaUser"
	startswith(object.get(doc, "apiVersion", ""), "kafka.strimzi.io/")
}

# Operations of an ACL: operations, or the older single operation.
acl_operations(acl) := {o | some o in object.get(acl, "operations", [])} | {o | o := acl.operation}

# Whether an ACL names every topic or group: the literal "*", or a prefix of nothing.
wildcard_resource(res) if res.name == "*"

wildcard_resource(res) if {
	object.get(res, "patternType", "literal") == "prefix"
	object.get(res, "name", "") in {"", "*"}
}

# METADATA
# title: Least-privilege KafkaUser ACLs
# description: KafkaUser allow ACLs do not grant the All operation nor name every topic or group ("*", or an empty prefix).
# custom:
#   id: KAFKA-009
#   severity: deny
#   rationale: A client with All or a wildcard can read every team's data, delete topics and reset other consumers' offsets.
findings contains finding("KAFKA-009", "deny", u.doc, sprintf("spec.authorization.acls[%d].operations", [k]), msg) if {
	some u in users
	some k, acl in u.acls
	object.get(acl, "type", "allow") == "allow"
	"All" in acl_operations(acl)
	msg := sprintf("user %q is granted All on %s %q: list the operations it needs, e.g. operations: [Read, Describe] for a consumer or [Write, Describe] for a producer", [u.name, object.get(acl.resource, "type", "?"), object.get(acl.resource, "name", "")])
}

findings contains finding("KAFKA-009", "deny", u.doc, sprintf("spec.authorization.acls[%d].resource.name", [k]), msg) if {
	some u in users
	some k, acl in u.acls
	object.get(acl, "type", "allow") == "allow"
	acl.resource.type in {"topic", "group"}
	wildcard_resource(acl.resource)
	msg := sprintf("user %q is granted every %s: name the %s, or a prefix the team owns (resource: {type: %s, name: payments., patternType: prefix})", [u.name, acl.resource.type, acl.resource.type, acl.resource.type])
}
