package terraform_test

import data.terraform

tags := {"owner": "alice", "team": "payments", "environment": "prod"}

# HCL converted to JSON (hcl2json's shape: every block is a list).
hcl := {"resource": {
	"aws_s3_bucket": {"logs": [{"bucket": "acme-payments-logs", "tags": tags}]},
	"aws_s3_bucket_server_side_encryption_configuration": {"logs": [{
		"bucket": "${aws_s3_bucket.logs.id}",
		"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}],
	}]},
	"aws_s3_bucket_public_access_block": {"logs": [{
		"bucket": "${aws_s3_bucket.logs.id}",
		"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true,
	}]},
	"aws_db_instance": {"payments": [{
		"engine": "postgres", "instance_class": "db.t4g.medium", "publicly_accessible": false,
		"storage_encrypted": true, "backup_retention_period": 14, "tags": tags,
	}]},
	"aws_security_group": {"db": [{
		"name": "payments-db", "tags": tags,
		"ingress": [{"from_port": 5432, "to_port": 5432, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"]}],
	}]},
	"aws_eks_cluster": {"main": [{
		"name": "platform", "tags": tags,
		"encryption_config": [{"resources": ["secrets"], "provider": [{"key_arn": "${aws_kms_key.eks.arn}"}]}],
		"vpc_config": [{"endpoint_private_access": true, "endpoint_public_access": false, "subnet_ids": []}],
	}]},
}}

# A compliant document, shown by explain_rule (and checked to pass in vitest).
example := [hcl]

ids(docs) := {v.id | some v in terraform.violations with input as {"documents": docs}}

with_ops(ops) := [json.patch(hcl, ops)]

test_compliant_hcl_has_no_violations if {
	count(ids([hcl])) == 0
}

test_TF_001_denied if {
	"TF-001" in ids(with_ops([{"op": "remove", "path": "/resource/aws_s3_bucket_server_side_encryption_configuration"}]))
}

test_TF_001_allowed if {
	not "TF-001" in ids(with_ops([
		{"op": "remove", "path": "/resource/aws_s3_bucket_server_side_encryption_configuration"},
		{"op": "add", "path": "/resource/aws_s3_bucket/logs/0/server_side_encryption_configuration", "value": [{"rule": [{}]}]},
	]))
}

test_TF_002_denied if {
	"TF-002" in ids(with_ops([{"op": "remove", "path": "/resource/aws_s3_bucket_public_access_block"}]))
	"TF-002" in ids(with_ops([{"op": "replace", "path": "/resource/aws_s3_bucket_public_access_block/logs/0/block_public_policy", "value": false}]))
}

test_TF_002_allowed if {
	not "TF-002" in ids([hcl])
}

test_TF_003_denied if {
	"TF-003" in ids(with_ops([{"op": "replace", "path": "/resource/aws_db_instance/payments/0/publicly_accessible", "value": true}]))
}

test_TF_003_allowed if {
	not "TF-003" in ids(with_ops([{"op": "remove", "path": "/resource/aws_db_instance/payments/0/publicly_accessible"}]))
}

test_TF_004_denied if {
	"TF-004" in ids(with_ops([{"op": "remove", "path": "/resource/aws_db_instance/payments/0/storage_encrypted"}]))
}

test_TF_004_allowed if {
	not "TF-004" in ids([hcl])
}

test_TF_005_denied if {
	"TF-005" in ids(with_ops([{"op": "replace", "path": "/resource/aws_db_instance/payments/0/backup_retention_period", "value": 0}]))
}

test_TF_005_denied_when_not_a_number if {
	"TF-005" in ids(with_ops([{"op": "replace", "path": "/resource/aws_db_instance/payments/0/backup_retention_period", "value": "${var.retention}"}]))
}

test_TF_005_allowed if {
	not "TF-005" in ids(with_ops([{"op": "replace", "path": "/resource/aws_db_instance/payments/0/backup_retention_period", "value": 7}]))
}

test_TF_006_denied if {
	"TF-006" in ids(with_ops([{"op": "replace", "path": "/resource/aws_security_group/db/0/ingress/0/cidr_blocks", "value": ["0.0.0.0/0"]}]))
	"TF-006" in ids(with_ops([{"op": "add", "path": "/resource/aws_security_group_rule", "value": {"ssh": [{"type": "ingress", "from_port": 0, "to_port": 1024, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}}]))
	"TF-006" in ids(with_ops([{"op": "add", "path": "/resource/aws_vpc_security_group_ingress_rule", "value": {"all": [{"ip_protocol": "-1", "cidr_ipv6": "::/0"}]}}]))
}

test_TF_006_allowed if {
	not "TF-006" in ids(with_ops([{"op": "add", "path": "/resource/aws_security_group_rule", "value": {"https": [{"type": "ingress", "from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}}]))
}

test_TF_007_denied if {
	"TF-007" in ids(with_ops([{"op": "remove", "path": "/resource/aws_eks_cluster/main/0/encryption_config"}]))
}

test_TF_007_allowed if {
	not "TF-007" in ids([hcl])
}

test_TF_008_denied if {
	"TF-008" in ids(with_ops([{"op": "replace", "path": "/resource/aws_eks_cluster/main/0/vpc_config/0/endpoint_public_access", "value": true}]))
	"TF-008" in ids(with_ops([{"op": "replace", "path": "/resource/aws_eks_cluster/main/0/vpc_config/0/endpoint_private_access", "value": false}]))
}

test_TF_008_allowed if {
	not "TF-008" in ids(with_ops([
		{"op": "replace", "path": "/resource/aws_eks_cluster/main/0/vpc_config/0/endpoint_public_access", "value": true},
		{"op": "add", "path": "/resource/aws_eks_cluster/main/0/vpc_config/0/public_access_cidrs", "value": ["203.0.113.0/24"]},
	]))
}

test_TF_009_denied if {
	"TF-009" in ids(with_ops([{"op": "remove", "path": "/resource/aws_db_instance/payments/0/tags/team"}]))
}

test_TF_009_allowed_via_default_tags if {
	not "TF-009" in ids(with_ops([
		{"op": "remove", "path": "/resource/aws_db_instance/payments/0/tags/team"},
		{"op": "add", "path": "/provider", "value": {"aws": [{"default_tags": [{"tags": {"team": "payments"}}]}]}},
	]))
}

test_TF_009_allowed if {
	not "TF-009" in ids([hcl])
}

# A plan (terraform show -json): the encryption configuration points at the bucket through configuration references.
plan := {
	"format_version": "1.2",
	"resource_changes": [
		{"address": "aws_s3_bucket.data", "mode": "managed", "type": "aws_s3_bucket", "name": "data", "change": {"actions": ["create"], "after": {"bucket": "acme-data", "tags": null, "tags_all": tags}}},
		{"address": "aws_s3_bucket_server_side_encryption_configuration.data", "mode": "managed", "type": "aws_s3_bucket_server_side_encryption_configuration", "name": "data", "change": {"actions": ["create"], "after": {"rule": [{}]}}},
		{"address": "aws_db_instance.legacy", "mode": "managed", "type": "aws_db_instance", "name": "legacy", "change": {"actions": ["update"], "after": {"publicly_accessible": true, "storage_encrypted": true, "backup_retention_period": 7, "tags_all": tags}}},
		{"address": "aws_db_instance.gone", "mode": "managed", "type": "aws_db_instance", "name": "gone", "change": {"actions": ["delete"], "after": null}},
	],
	"configuration": {"root_module": {"resources": [{
		"address": "aws_s3_bucket_server_side_encryption_configuration.data",
		"expressions": {"bucket": {"references": ["aws_s3_bucket.data.id", "aws_s3_bucket.data"]}},
	}]}},
}

test_plan_form if {
	found := {[v.id, v.resource, v.field] | some v in terraform.violations with input as {"documents": [plan]}}
	found == {
		["TF-002", "aws_s3_bucket.data", "resource_changes[0].change.after.bucket"],
		["TF-003", "aws_db_instance.legacy", "resource_changes[2].change.after.publicly_accessible"],
	}
}

test_waiver_by_tag if {
	docs := with_ops([
		{"op": "replace", "path": "/resource/aws_db_instance/payments/0/publicly_accessible", "value": true},
		{"op": "add", "path": "/resource/aws_db_instance/payments/0/tags/policy.idp-mcp.io~1waive-TF-003", "value": "reason=vendor access until migration; expires=2099-06-30"},
	])
	not "TF-003" in ids(docs)
	some w in terraform.waived with input as {"documents": docs}
	w.id == "TF-003"
	w.resource == "aws_db_instance.payments"
}
