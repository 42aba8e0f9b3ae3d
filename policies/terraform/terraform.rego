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
	truthy(r.values.publicly_accessible)
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
ingress contains {"r": r, "field": sprintf("ingress[%d]", [k]), "cidrs": cidrs(rule), "from": port(rule, "from_port", 0), "to": port(rule, "to_port", 65535), "protocol": object.get(rule, "protocol", "tcp")} if {
	some r in of_type({"aws_security_group", "aws_default_security_group"})
	some k, rule in object.get(r.values, "ingress", [])
}

ingress contains {"r": r, "field": "cidr_blocks", "cidrs": cidrs(r.values), "from": port(r.values, "from_port", 0), "to": port(r.values, "to_port", 65535), "protocol": object.get(r.values, "protocol", "tcp")} if {
	some r in of_type({"aws_security_group_rule"})
	r.values.type == "ingress"
}

ingress contains {"r": r, "field": "cidr_ipv4", "cidrs": {c | some c in [object.get(r.values, "cidr_ipv4", null), object.get(r.values, "cidr_ipv6", null)]; is_string(c)}, "from": port(r.values, "from_port", 0), "to": port(r.values, "to_port", 65535), "protocol": object.get(r.values, "ip_protocol", "tcp")} if {
	some r in of_type({"aws_vpc_security_group_ingress_rule"})
}

# A port bound as a number; one that is not a number (a variable in HCL) counts as the widest bound.
port(v, key, widest) := lib.num(v[key]) if {
	lib.num(v[key])
} else := widest

cidrs(v) := {c | some c in array.concat(object.get(v, "cidr_blocks", []), object.get(v, "ipv6_cidr_blocks", []))}

# The sensitive ports a rule exposes, as text; undefined when none.
exposed_ports(rule) := "all ports" if {
	rule.protocol in {"-1", "all", -1, "ALL"}
} else := concat(", ", ports) if {
	ports := [sprintf("%d", [p]) | some p in sensitive_ports; rule.from <= p; p <= rule.to]
	count(ports) > 0
}

# METADATA
# title: No open ingress on sensitive ports
# description: No security group rule opens a port range that includes 22, 3389, 5432, 3306, 6379, 27017 or 9092 (configurable) to 0.0.0.0/0 or ::/0.
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

truthy(x) if x == true

truthy(x) if x == "true"

# Data sources of HCL (data.<type>.<name>), with their paths.
data_sources contains {"doc": i, "address": sprintf("data.%s.%s", [type, name]), "type": type, "name": name, "values": hcl_body(bodies), "path": sprintf("data.%s.%s", [type, name])} if {
	some i, doc in input.documents
	some type, named in doc.data
	some name, bodies in named
}

iam_policy_types := {"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"}

# IAM statements as {"effect", "actions", "not_actions", "resources"}: from policy JSON (a plan, or a JSON string or
# heredoc in HCL), from jsonencode({...}) in HCL, and from aws_iam_policy_document data sources.
statements contains {"r": r, "field": "policy", "st": normal_statement(st)} if {
	some r in of_type(iam_policy_types)
	some st in policy_statements(r.values.policy)
}

statements contains {"r": r, "field": sprintf("inline_policy[%d].policy", [k]), "st": normal_statement(st)} if {
	some r in of_type({"aws_iam_role"})
	some k, p in object.get(r.values, "inline_policy", [])
	some st in policy_statements(p.policy)
}

statements contains {"r": d, "field": sprintf("statement[%d]", [k]), "st": st} if {
	some d in data_sources
	d.type == "aws_iam_policy_document"
	some k, raw in object.get(d.values, "statement", [])
	st := {
		"effect": object.get(raw, "effect", "Allow"),
		"actions": as_list(object.get(raw, "actions", [])),
		"not_actions": as_list(object.get(raw, "not_actions", [])),
		"resources": as_list(object.get(raw, "resources", [])),
	}
}

normal_statement(st) := {
	"effect": object.get(st, "Effect", "Allow"),
	"actions": as_list(object.get(st, "Action", [])),
	"not_actions": as_list(object.get(st, "NotAction", [])),
	"resources": as_list(object.get(st, "Resource", [])),
}

as_list(x) := x if is_array(x) else := [x]

policy_statements(text) := as_list(json.unmarshal(text).Statement) if {
	is_string(text)
	json.is_valid(text)
} else := as_list(json.unmarshal(hcl_object_json(text)).Statement) if {
	is_string(text)
	json.is_valid(hcl_object_json(text))
}

# The HCL object of `jsonencode({...})` rewritten as JSON, when it is plain data (keys, strings, lists, references).
hcl_object_json(text) := json_text if {
	startswith(text, "${jsonencode(")
	body := trim_suffix(trim_prefix(text, "${jsonencode("), ")}")
	quoted_keys := regex.replace(regex.replace(body, `"([^"\n]*)"\s*=\s*`, `"$1": `), `([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*`, `"$1": `)
	commas := regex.replace(quoted_keys, `([^,\[{\s])(\s*\n\s*)(["{\[])`, "$1,$2$3")
	no_trailing := regex.replace(commas, `,(\s*[\]}])`, "$1")
	refs := `([:\[,]\s*)([A-Za-z_][A-Za-z0-9_.*-]*)(\s*[,\]}\n])`
	json_text := regex.replace(regex.replace(no_trailing, refs, `$1"$2"$3`), refs, `$1"$2"$3`)
}

read_verbs := `^[A-Za-z0-9-]+:(Get|List|Describe|Head|BatchGet|Query|Scan|Lookup|Search|View)[A-Za-z0-9]*\*?$`

write_action(a) if not regex.match(read_verbs, a)

full_wildcard(a) if a in {"*", "*:*"}

# METADATA
# title: No wildcard IAM permissions
# description: IAM policies (aws_iam_*_policy, inline_policy, aws_iam_policy_document) do not Allow Action "*" or NotAction, nor write actions on Resource "*".
# custom:
#   id: TF-010
#   severity: deny
#   rationale: A wildcard grant turns one leaked credential or one confused deputy into control of the whole account.
findings contains finding("TF-010", "deny", x.r, x.field, msg) if {
	some x in statements
	x.st.effect == "Allow"
	some a in x.st.actions
	full_wildcard(a)
	msg := sprintf("%s allows every action (Action \"*\"): list the actions the workload needs, e.g. [\"s3:GetObject\", \"s3:PutObject\"]", [x.r.address])
}

findings contains finding("TF-010", "deny", x.r, x.field, msg) if {
	some x in statements
	x.st.effect == "Allow"
	count(x.st.not_actions) > 0
	msg := sprintf("%s allows everything but a list (NotAction with Allow): list the allowed actions with Action instead", [x.r.address])
}

findings contains finding("TF-010", "deny", x.r, x.field, msg) if {
	some x in statements
	x.st.effect == "Allow"
	"*" in x.st.resources
	writes := [a | some a in x.st.actions; not full_wildcard(a); write_action(a)]
	count(writes) > 0
	msg := sprintf("%s allows %s on every resource (Resource \"*\"): name the ARNs it may change, e.g. arn:aws:s3:::acme-payments-logs/*", [x.r.address, concat(", ", writes)])
}

encryption_by_default(i) if {
	some r in of_type({"aws_ebs_encryption_by_default"})
	r.doc == i
	truthy(object.get(r.values, "enabled", true))
}

# EBS volumes a resource creates: the volume itself, or block devices of instances and launch templates.
ebs_volumes contains {"r": r, "field": "encrypted", "values": r.values} if {
	some r in of_type({"aws_ebs_volume", "aws_ebs_snapshot_copy"})
}

ebs_volumes contains {"r": r, "field": sprintf("%s[%d].encrypted", [block, k]), "values": device} if {
	some r in of_type({"aws_instance"})
	some block in ["root_block_device", "ebs_block_device"]
	some k, device in object.get(r.values, block, [])
}

ebs_volumes contains {"r": r, "field": sprintf("block_device_mappings[%d].ebs[0].encrypted", [k]), "values": hcl_body(mapping.ebs)} if {
	some r in of_type({"aws_launch_template"})
	some k, mapping in object.get(r.values, "block_device_mappings", [])
	mapping.ebs
}

# METADATA
# title: EBS encryption
# description: EBS volumes, snapshot copies and the block devices of instances and launch templates set encrypted = true (or the configuration enables aws_ebs_encryption_by_default); snapshots come from encrypted volumes.
# custom:
#   id: TF-011
#   severity: deny
#   rationale: Encryption at rest is required for all stored data; an unencrypted volume's snapshots can be shared or copied out in the clear.
findings contains finding("TF-011", "deny", v.r, v.field, msg) if {
	some v in ebs_volumes
	not truthy(object.get(v.values, "encrypted", false))
	not encryption_by_default(v.r.doc)
	msg := sprintf("%s is not encrypted: set %s = true (and kms_key_id for a customer-managed key), or enable aws_ebs_encryption_by_default", [v.r.address, v.field])
}

findings contains finding("TF-011", "deny", r, "encrypted", msg) if {
	some r in of_type({"aws_ebs_snapshot"})
	r.values.encrypted == false
	msg := sprintf("%s is a snapshot of an unencrypted volume: encrypt the volume (encrypted = true) or copy the snapshot with aws_ebs_snapshot_copy and encrypted = true", [r.address])
}

# METADATA
# title: KMS key rotation
# description: Symmetric aws_kms_key resources set enable_key_rotation = true.
# custom:
#   id: TF-012
#   severity: deny
#   rationale: Rotation limits how much data one key version protects and how long a leaked key stays useful (CIS AWS 3.6).
findings contains finding("TF-012", "deny", r, "enable_key_rotation", msg) if {
	some r in of_type({"aws_kms_key"})
	object.get(r.values, "customer_master_key_spec", object.get(r.values, "key_spec", "SYMMETRIC_DEFAULT")) in {"SYMMETRIC_DEFAULT", null}
	not truthy(object.get(r.values, "enable_key_rotation", false))
	msg := sprintf("%s does not rotate its key material: set enable_key_rotation = true", [r.address])
}
