# METADATA
# title: Terraform
# description: |
#   AWS resources in a Terraform plan (`terraform show -json`: resource_changes[].change.after) or in HCL
#   converted to JSON (hcl2json: resource.<type>.<name>). Input: {"documents": [<plan or HCL JSON>, ...]}.
#   Config (data.config.terraform): required_tags, sensitive_ports, min_backup_retention_days.
package terraform

import data.lib

default config := {}

config := data.config.terraform

required_tags := object.get(config, "required_tags", ["owner", "team", "environment"])

sensitive_ports := object.get(config, "sensitive_ports", [22, 3389, 5432, 3306, 6379, 27017, 9092])

min_backup_days := object.get(config, "min_backup_retention_days", 7)

open_cidrs := {"0.0.0.0/0", "::/0"}

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

# Waivers are tags on the resource: policy.idp-mcp.io/waive-<ID> = "reason=...; expires=YYYY-MM-DD".
waiver(f) := lib.check_waiver(value) if {
	some r in resources
	r.doc == f.document
	r.address == f.resource
	value := tags(r)[lib.waiver_key(f.id)]
} else := lib.no_waiver

finding(id, severity, r, field, msg) := {
	"id": id,
	"severity": severity,
	"msg": msg,
	"resource": r.address,
	"field": sprintf("%s.%s", [r.path, field]),
	"document": r.doc,
}

# Resources of a plan: what each managed, not-deleted resource will look like.
resources contains {"doc": i, "address": rc.address, "type": rc.type, "name": rc.name, "values": rc.change.after, "path": sprintf("resource_changes[%d].change.after", [j])} if {
	some i, doc in input.documents
	some j, rc in doc.resource_changes
	object.get(rc, "mode", "managed") == "managed"
	is_object(rc.change.after)
}

# Resources of HCL converted to JSON (hcl2json gives a list of bodies; .tf.json gives the body).
resources contains {"doc": i, "address": sprintf("%s.%s", [type, name]), "type": type, "name": name, "values": hcl_body(bodies), "path": sprintf("resource.%s.%s", [type, name])} if {
	some i, doc in input.documents
	some type, named in doc.resource
	some name, bodies in named
}

hcl_body(bodies) := bodies[0] if is_array(bodies) else := bodies

of_type(types) := {r | some r in resources; r.type in types}

# Effective tags: tags_all from a plan (provider default_tags included), else the provider's default_tags plus tags.
tags(r) := t if {
	is_object(r.values.tags_all)
	t := r.values.tags_all
} else := object.union(default_tags(r.doc), object.get(r.values, "tags", {})) if {
	is_object(object.get(r.values, "tags", {}))
} else := default_tags(r.doc)

default_tags(i) := t if {
	t := hcl_body(hcl_body(input.documents[i].provider.aws).default_tags).tags
} else := {}

# Whether the helper resource h (public access block, encryption configuration) points at bucket b.
refs_bucket(h, b) if {
	h.doc == b.doc
	is_string(h.values.bucket)
	h.values.bucket == b.values.bucket
}

refs_bucket(h, b) if {
	h.doc == b.doc
	is_string(h.values.bucket)
	regex.match(sprintf(`\baws_s3_bucket\.%s\.`, [b.name]), h.values.bucket)
}

refs_bucket(h, b) if {
	h.doc == b.doc
	some res in input.documents[h.doc].configuration.root_module.resources
	res.address == h.address
	some ref in res.expressions.bucket.references
	ref in {sprintf("aws_s3_bucket.%s", [b.name]), sprintf("aws_s3_bucket.%s.id", [b.name]), sprintf("aws_s3_bucket.%s.bucket", [b.name])}
}

# METADATA
# title: S3 bucket encryption
# description: Every aws_s3_bucket has server-side encryption (inline or an aws_s3_bucket_server_side_encryption_configuration).
# custom:
#   id: TF-001
#   severity: deny
#   rationale: Encryption at rest with a managed key is required for all stored data.
findings contains finding("TF-001", "deny", b, "server_side_encryption_configuration", msg) if {
	some b in of_type({"aws_s3_bucket"})
	count(object.get(b.values, "server_side_encryption_configuration", [])) == 0
	not encrypted_by_resource(b)
	msg := sprintf("bucket %s has no server-side encryption: add an aws_s3_bucket_server_side_encryption_configuration with bucket = %s.id (sse_algorithm aws:kms)", [b.address, b.address])
}

encrypted_by_resource(b) if {
	some h in of_type({"aws_s3_bucket_server_side_encryption_configuration"})
	refs_bucket(h, b)
}

pab_flags := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

# METADATA
# title: S3 public access block
# description: Every aws_s3_bucket has an aws_s3_bucket_public_access_block with all four settings true.
# custom:
#   id: TF-002
#   severity: deny
#   rationale: The public access block is the guard against a stray ACL or policy publishing a bucket.
findings contains finding("TF-002", "deny", b, "bucket", msg) if {
	some b in of_type({"aws_s3_bucket"})
	not blocked(b)
	msg := sprintf("bucket %s has no public access block: add an aws_s3_bucket_public_access_block with bucket = %s.id and %s = true", [b.address, b.address, concat(", ", pab_flags)])
}

findings contains finding("TF-002", "deny", h, flag, msg) if {
	some h in of_type({"aws_s3_bucket_public_access_block"})
	some flag in pab_flags
	not h.values[flag] == true
	msg := sprintf("%s does not set %s: set %s = true", [h.address, flag, flag])
}

blocked(b) if {
	some h in of_type({"aws_s3_bucket_public_access_block"})
	refs_bucket(h, b)
}

# METADATA
# title: No public RDS
# description: aws_db_instance and aws_rds_cluster_instance must not be publicly_accessible.
# custom:
#   id: TF-003
#   severity: deny
#   rationale: Databases are reached from inside the VPC only.
findings contains finding("TF-003", "deny", r, "publicly_accessible", msg) if {
	some r in of_type({"aws_db_instance", "aws_rds_cluster_instance"})
	r.values.publicly_accessible == true
	msg := sprintf("%s is publicly accessible: set publicly_accessible = false and reach it through the VPC", [r.address])
}

# METADATA
# title: RDS encryption
# description: aws_db_instance and aws_rds_cluster set storage_encrypted = true.
# custom:
#   id: TF-004
#   severity: deny
#   rationale: Encryption at rest is required for all stored data, and cannot be added to an existing instance later.
findings contains finding("TF-004", "deny", r, "storage_encrypted", msg) if {
	some r in of_type({"aws_db_instance", "aws_rds_cluster"})
	object.get(r.values, "storage_encrypted", false) != true
	msg := sprintf("%s is not encrypted at rest: set storage_encrypted = true (and kms_key_id for a customer-managed key)", [r.address])
}

backups_kept(r) if lib.num(object.get(r.values, "backup_retention_period", 0)) >= min_backup_days

# METADATA
# title: RDS backups
# description: aws_db_instance and aws_rds_cluster keep automated backups for at least min_backup_retention_days (default 7).
# custom:
#   id: TF-005
#   severity: deny
#   rationale: Point-in-time recovery needs automated backups; 0 switches them off.
findings contains finding("TF-005", "deny", r, "backup_retention_period", msg) if {
	some r in of_type({"aws_db_instance", "aws_rds_cluster"})
	not backups_kept(r)
	msg := sprintf("%s keeps backups for %v days: set backup_retention_period to at least %d", [r.address, object.get(r.values, "backup_retention_period", "unset"), min_backup_days])
}

# Ingress rules of the three forms: inline security group blocks, aws_security_group_rule, aws_vpc_security_group_ingress_rule.
ingress contains {"r": r, "field": sprintf("ingress[%d]", [k]), "cidrs": cidrs(rule), "from": object.get(rule, "from_port", 0), "to": object.get(rule, "to_port", 65535), "protocol": object.get(rule, "protocol", "tcp")} if {
	some r in of_type({"aws_security_group"})
	some k, rule in object.get(r.values, "ingress", [])
}

ingress contains {"r": r, "field": "cidr_blocks", "cidrs": cidrs(r.values), "from": object.get(r.values, "from_port", 0), "to": object.get(r.values, "to_port", 65535), "protocol": object.get(r.values, "protocol", "tcp")} if {
	some r in of_type({"aws_security_group_rule"})
	r.values.type == "ingress"
}

ingress contains {"r": r, "field": "cidr_ipv4", "cidrs": {c | some c in [object.get(r.values, "cidr_ipv4", null), object.get(r.values, "cidr_ipv6", null)]; is_string(c)}, "from": object.get(r.values, "from_port", 0), "to": object.get(r.values, "to_port", 65535), "protocol": object.get(r.values, "ip_protocol", "tcp")} if {
	some r in of_type({"aws_vpc_security_group_ingress_rule"})
}

cidrs(v) := {c | some c in array.concat(object.get(v, "cidr_blocks", []), object.get(v, "ipv6_cidr_blocks", []))}

# The sensitive ports a rule exposes, as text; undefined when none.
exposed_ports(rule) := "all ports" if {
	rule.protocol in {"-1", "all", -1}
} else := concat(", ", ports) if {
	ports := [sprintf("%d", [p]) | some p in sensitive_ports; rule.from <= p; p <= rule.to]
	count(ports) > 0
}

# METADATA
# title: No open ingress on sensitive ports
# description: No security group rule opens 22, 3389, 5432, 3306, 6379, 27017 or 9092 (configurable) to 0.0.0.0/0 or ::/0.
# custom:
#   id: TF-006
#   severity: deny
#   rationale: SSH, RDP, databases, caches and brokers are scanned and attacked within minutes of being exposed.
findings contains finding("TF-006", "deny", rule.r, rule.field, msg) if {
	some rule in ingress
	some cidr in rule.cidrs
	cidr in open_cidrs
	ports := exposed_ports(rule)
	msg := sprintf("%s opens %s to %s: restrict the CIDR to the VPC or a bastion/VPN range, or use a security-group source", [rule.r.address, ports, cidr])
}

# METADATA
# title: EKS secrets encryption
# description: aws_eks_cluster has an encryption_config with resources ["secrets"] and a KMS key.
# custom:
#   id: TF-007
#   severity: deny
#   rationale: Kubernetes Secrets are only base64 in etcd unless envelope-encrypted with KMS.
findings contains finding("TF-007", "deny", r, "encryption_config", msg) if {
	some r in of_type({"aws_eks_cluster"})
	not secrets_encrypted(r)
	msg := sprintf("%s does not encrypt Kubernetes secrets: add encryption_config { resources = [\"secrets\"], provider { key_arn = <KMS key ARN> } }", [r.address])
}

secrets_encrypted(r) if {
	some ec in r.values.encryption_config
	"secrets" in ec.resources
}

# METADATA
# title: EKS private endpoint
# description: aws_eks_cluster enables the private API endpoint and does not open the public one to 0.0.0.0/0.
# custom:
#   id: TF-008
#   severity: deny
#   rationale: An API server open to the internet is one leaked credential away from compromise.
findings contains finding("TF-008", "deny", r, "vpc_config[0].endpoint_private_access", msg) if {
	some r in of_type({"aws_eks_cluster"})
	not hcl_body(r.values.vpc_config).endpoint_private_access == true
	msg := sprintf("%s has no private API endpoint: set vpc_config { endpoint_private_access = true }", [r.address])
}

findings contains finding("TF-008", "deny", r, "vpc_config[0].endpoint_public_access", msg) if {
	some r in of_type({"aws_eks_cluster"})
	vpc := object.get(r.values, "vpc_config", [{}])
	not hcl_body(vpc).endpoint_public_access == false
	open_public(hcl_body(vpc))
	msg := sprintf("%s exposes its API endpoint to the internet: set vpc_config { endpoint_public_access = false } or restrict public_access_cidrs to office/VPN ranges", [r.address])
}

open_public(vpc) if not vpc.public_access_cidrs

open_public(vpc) if {
	some c in vpc.public_access_cidrs
	c in open_cidrs
}

taggable := {
	"aws_s3_bucket", "aws_db_instance", "aws_rds_cluster", "aws_eks_cluster", "aws_eks_node_group",
	"aws_security_group", "aws_instance", "aws_vpc", "aws_subnet", "aws_kms_key", "aws_lb",
	"aws_iam_role", "aws_dynamodb_table", "aws_sqs_queue", "aws_sns_topic", "aws_elasticache_cluster",
	"aws_msk_cluster", "aws_ecr_repository", "aws_lambda_function", "aws_secretsmanager_secret",
}

# METADATA
# title: Required tags
# description: Taggable AWS resources carry the required tags (default owner, team, environment), directly or via provider default_tags.
# custom:
#   id: TF-009
#   severity: deny
#   rationale: Tags route cost, ownership and incident contacts; untagged resources are orphans.
findings contains finding("TF-009", "deny", r, "tags", msg) if {
	some r in resources
	taggable_resource(r)
	missing := [t | some t in required_tags; not tags(r)[t]]
	count(missing) > 0
	msg := sprintf("%s lacks the tags %s: add them to tags (or the provider's default_tags)", [r.address, concat(", ", missing)])
}

taggable_resource(r) if r.type in taggable

taggable_resource(r) if "tags" in object.keys(r.values)
