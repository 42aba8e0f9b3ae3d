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
	"aws_kms_key": {"eks": [{"description": "EKS secrets", "enable_key_rotation": true, "tags": tags}]},
	"aws_ebs_volume": {"data": [{"availability_zone": "eu-west-1a", "size": 100, "encrypted": true, "tags": tags}]},
	"aws_iam_policy": {"logs": [{"name": "payments-logs", "tags": tags, "policy": json.marshal({
		"Version": "2012-10-17",
		"Statement": [
			{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "arn:aws:s3:::acme-payments-logs/*"},
			{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
		],
	})}]},
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
	"TF-003" in ids(with_ops([{"op": "replace", "path": "/resource/aws_db_instance/payments/0/publicly_accessible", "value": "true"}]))
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

# hcl2json keeps quoted numbers as strings: a range "0".."1024" still includes 22.
test_TF_006_denied_with_string_ports if {
	"TF-006" in ids(with_ops([{"op": "add", "path": "/resource/aws_security_group_rule", "value": {"ssh": [{"type": "ingress", "from_port": "0", "to_port": "1024", "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}}]))
	"TF-006" in ids(with_ops([{"op": "add", "path": "/resource/aws_default_security_group", "value": {"default": [{"ingress": [{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}]}]}}]))
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

policy_ops(statement) := with_ops([{"op": "replace", "path": "/resource/aws_iam_policy/logs/0/policy", "value": json.marshal({"Version": "2012-10-17", "Statement": [statement]})}])

# jsonencode in HCL, as hcl2json gives it: the expression's text.
jsonencode_policy := `${jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:DeleteObject",]
        Resource = "*"
      },
      {
        Effect = "Allow"
        Action = "s3:GetObject"
        Resource = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]
        Condition = { StringEquals = { "aws:PrincipalTag/team" = "payments" } }
      },
    ]
  })}`

test_TF_010_denied if {
	"TF-010" in ids(policy_ops({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::acme-payments-logs"}))
	"TF-010" in ids(policy_ops({"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "*"}))
	"TF-010" in ids(policy_ops({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}))
	"TF-010" in ids(with_ops([{"op": "replace", "path": "/resource/aws_iam_policy/logs/0/policy", "value": jsonencode_policy}]))
	"TF-010" in ids(with_ops([{"op": "add", "path": "/data", "value": {"aws_iam_policy_document": {"admin": [{"statement": [{"actions": ["*"], "resources": ["*"]}]}]}}}]))
}

test_TF_010_field_and_message if {
	some v in terraform.violations with input as {"documents": with_ops([{"op": "replace", "path": "/resource/aws_iam_policy/logs/0/policy", "value": jsonencode_policy}])}
	v.id == "TF-010"
	v.field == "resource.aws_iam_policy.logs.policy"
	contains(v.msg, "s3:PutObject, s3:DeleteObject on every resource")
}

test_TF_010_allowed if {
	not "TF-010" in ids([hcl])
	not "TF-010" in ids(policy_ops({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
	not "TF-010" in ids(policy_ops({"Effect": "Allow", "Action": ["ec2:Describe*", "logs:GetLogEvents"], "Resource": "*"}))
	not "TF-010" in ids(with_ops([{"op": "add", "path": "/data", "value": {"aws_iam_policy_document": {"read": [{"statement": [{"actions": ["s3:GetObject"], "resources": ["*"]}]}]}}}]))
}

test_TF_011_denied if {
	"TF-011" in ids(with_ops([{"op": "remove", "path": "/resource/aws_ebs_volume/data/0/encrypted"}]))
	"TF-011" in ids(with_ops([{"op": "add", "path": "/resource/aws_instance", "value": {"web": [{"ami": "ami-1", "instance_type": "t3.micro", "tags": tags, "root_block_device": [{"volume_size": 20}]}]}}]))
	"TF-011" in ids(with_ops([{"op": "add", "path": "/resource/aws_launch_template", "value": {"nodes": [{"tags": tags, "block_device_mappings": [{"device_name": "/dev/xvda", "ebs": [{"volume_size": 50, "encrypted": "false"}]}]}]}}]))
	"TF-011" in ids(with_ops([{"op": "add", "path": "/resource/aws_ebs_snapshot_copy", "value": {"copy": [{"source_snapshot_id": "snap-1", "source_region": "eu-west-1"}]}}]))
	"TF-011" in ids([{"resource_changes": [{"address": "aws_ebs_snapshot.s", "mode": "managed", "type": "aws_ebs_snapshot", "name": "s", "change": {"after": {"volume_id": "vol-1", "encrypted": false}}}]}])
}

test_TF_011_allowed if {
	not "TF-011" in ids([hcl])
	not "TF-011" in ids(with_ops([
		{"op": "remove", "path": "/resource/aws_ebs_volume/data/0/encrypted"},
		{"op": "add", "path": "/resource/aws_ebs_encryption_by_default", "value": {"this": [{"enabled": true}]}},
	]))
}

test_TF_012_denied if {
	"TF-012" in ids(with_ops([{"op": "remove", "path": "/resource/aws_kms_key/eks/0/enable_key_rotation"}]))
}

test_TF_012_allowed if {
	not "TF-012" in ids([hcl])
	not "TF-012" in ids(with_ops([
		{"op": "remove", "path": "/resource/aws_kms_key/eks/0/enable_key_rotation"},
		{"op": "add", "path": "/resource/aws_kms_key/eks/0/customer_master_key_spec", "value": "RSA_4096"},
	]))
}
