package kafka_test

import data.kafka

topic := {
	"apiVersion": "kafka.strimzi.io/v1",
	"kind": "KafkaTopic",
	"metadata": {"name": "payments.transactions.v1", "namespace": "kafka", "labels": {"strimzi.io/cluster": "platform-kafka", "owner": "payments"}},
	"spec": {
		"partitions": 6,
		"replicas": 3,
		"config": {"min.insync.replicas": 2, "retention.ms": 604800000, "cleanup.policy": "delete"},
	},
}

user := {
	"apiVersion": "kafka.strimzi.io/v1",
	"kind": "KafkaUser",
	"metadata": {"name": "payments-api", "namespace": "kafka", "labels": {"strimzi.io/cluster": "platform-kafka"}},
	"spec": {
		"authentication": {"type": "tls"},
		"authorization": {"type": "simple", "acls": [
			{"resource": {"type": "topic", "name": "payments.", "patternType": "prefix"}, "operations": ["Read", "Write", "Describe"]},
			{"resource": {"type": "group", "name": "payments-api", "patternType": "literal"}, "operations": ["Read"]},
		]},
	},
}

# Compliant documents, shown by explain_rule (and checked to pass in vitest); `example` by default.
example := [topic]

examples := {"KAFKA-009": [user]}

ids(docs) := {v.id | some v in kafka.violations with input as {"documents": docs}}

with_ops(ops) := [json.patch(topic, ops)]

test_compliant_topic_has_no_violations if {
	count(ids([topic])) == 0
}

test_KAFKA_001_denied if {
	"KAFKA-001" in ids(with_ops([{"op": "replace", "path": "/spec/partitions", "value": 1}]))
	"KAFKA-001" in ids(with_ops([{"op": "remove", "path": "/spec/partitions"}]))
}

test_KAFKA_001_allowed if {
	not "KAFKA-001" in ids(with_ops([{"op": "replace", "path": "/spec/partitions", "value": 3}]))
}

test_KAFKA_002_denied if {
	"KAFKA-002" in ids(with_ops([{"op": "replace", "path": "/spec/replicas", "value": 1}]))
}

test_KAFKA_002_allowed if {
	not "KAFKA-002" in ids(with_ops([{"op": "replace", "path": "/spec/replicas", "value": 5}]))
}

test_KAFKA_003_denied if {
	"KAFKA-003" in ids(with_ops([{"op": "replace", "path": "/spec/config/min.insync.replicas", "value": 1}]))
	"KAFKA-003" in ids(with_ops([{"op": "replace", "path": "/spec/config/min.insync.replicas", "value": 3}]))
}

test_KAFKA_003_allowed if {
	not "KAFKA-003" in ids(with_ops([{"op": "replace", "path": "/spec/config/min.insync.replicas", "value": "2"}]))
}

test_KAFKA_004_denied if {
	"KAFKA-004" in ids(with_ops([{"op": "replace", "path": "/spec/config/retention.ms", "value": -1}]))
	"KAFKA-004" in ids(with_ops([{"op": "remove", "path": "/spec/config/retention.ms"}]))
	"KAFKA-004" in ids(with_ops([{"op": "replace", "path": "/spec/config/retention.ms", "value": "31536000000"}]))
}

test_KAFKA_004_allowed if {
	not "KAFKA-004" in ids(with_ops([{"op": "replace", "path": "/spec/config/retention.ms", "value": "86400000"}]))
}

test_KAFKA_004_allowed_for_compacted_topics if {
	not "KAFKA-004" in ids(with_ops([
		{"op": "remove", "path": "/spec/config/retention.ms"},
		{"op": "replace", "path": "/spec/config/cleanup.policy", "value": "compact"},
	]))
	"KAFKA-004" in ids(with_ops([
		{"op": "remove", "path": "/spec/config/retention.ms"},
		{"op": "replace", "path": "/spec/config/cleanup.policy", "value": "compact,delete"},
	]))
}

test_KAFKA_004_configurable if {
	"KAFKA-004" in ids([topic]) with data.config.kafka.max_retention_ms as 86400000
}

test_KAFKA_005_denied if {
	"KAFKA-005" in ids(with_ops([{"op": "remove", "path": "/spec/config/cleanup.policy"}]))
}

test_KAFKA_005_allowed if {
	not "KAFKA-005" in ids(with_ops([{"op": "replace", "path": "/spec/config/cleanup.policy", "value": "compact,delete"}]))
}

test_KAFKA_006_denied if {
	"KAFKA-006" in ids(with_ops([{"op": "replace", "path": "/metadata/name", "value": "transactions"}]))
	"KAFKA-006" in ids(with_ops([{"op": "add", "path": "/spec/topicName", "value": "Payments_Transactions"}]))
}

test_KAFKA_006_allowed if {
	not "KAFKA-006" in ids(with_ops([
		{"op": "replace", "path": "/metadata/name", "value": "payments-transactions"},
		{"op": "add", "path": "/spec/topicName", "value": "payments.transactions.v2"},
	]))
}

test_KAFKA_006_reports_the_field_used if {
	some v in kafka.violations with input as {"documents": with_ops([{"op": "add", "path": "/spec/topicName", "value": "bad"}])}
	v.id == "KAFKA-006"
	v.field == "spec.topicName"
}

test_KAFKA_007_denied if {
	"KAFKA-007" in ids(with_ops([{"op": "remove", "path": "/metadata/labels"}]))
}

test_KAFKA_007_allowed if {
	not "KAFKA-007" in ids([topic])
}

test_other_kinds_are_ignored if {
	count(ids([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}])) == 0
}

test_waiver_on_topic if {
	docs := with_ops([
		{"op": "replace", "path": "/spec/replicas", "value": 1},
		{"op": "add", "path": "/metadata/annotations", "value": {"policy.idp-mcp.io/waive-KAFKA-002": "reason=dev cluster has one broker; expires=2099-01-01"}},
	])
	not "KAFKA-002" in ids(docs)
	some w in kafka.waived with input as {"documents": docs}
	w.id == "KAFKA-002"
}

test_KAFKA_008_denied if {
	"KAFKA-008" in ids(with_ops([{"op": "remove", "path": "/metadata/labels/owner"}]))
}

test_KAFKA_008_allowed if {
	not "KAFKA-008" in ids([topic])
	# A topic checked in the admin API's form (no labels at all) is exempt.
	not "KAFKA-008" in ids(with_ops([{"op": "remove", "path": "/metadata/labels"}]))
}

user_ops(ops) := [json.patch(user, ops)]

test_KAFKA_009_denied if {
	"KAFKA-009" in ids(user_ops([{"op": "replace", "path": "/spec/authorization/acls/0/operations", "value": ["All"]}]))
	"KAFKA-009" in ids(user_ops([{"op": "replace", "path": "/spec/authorization/acls/1", "value": {"resource": {"type": "group", "name": "*"}, "operation": "Read"}}]))
	"KAFKA-009" in ids(user_ops([{"op": "replace", "path": "/spec/authorization/acls/0/resource/name", "value": ""}]))
}

test_KAFKA_009_allowed if {
	not "KAFKA-009" in ids([user])
	not "KAFKA-009" in ids(user_ops([{"op": "add", "path": "/spec/authorization/acls/-", "value": {"type": "deny", "resource": {"type": "topic", "name": "*"}, "operations": ["All"]}}]))
}
