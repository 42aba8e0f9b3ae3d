# Example values for prod: replace the account-specific ones (ARNs, CIDRs) with yours.
environment             = "prod"
region                  = "eu-west-1"
owner                   = "platform-team"
team                    = "platform"
vpc_cidr                = "10.20.0.0/16"
az_count                = 3
single_nat_gateway      = false
api_public_access_cidrs = []
cluster_admin_arns      = ["arn:aws:iam::444455556666:role/AWSReservedSSO_AdministratorAccess_fedcba9876543210"]
db_instance_class       = "db.m7g.large"
db_multi_az             = true
db_deletion_protection  = true
bedrock_model_ids       = ["anthropic.claude-sonnet-4-5-20250929-v1:0"]
gitops_repo_url         = "https://github.com/acme/idp-mcp.git"
gitops_revision         = "v0.1.0"
argocd_domain           = "argocd.idp.acme.com"

node_groups = {
  general = {
    instance_types = ["m7i.xlarge"]
    min_size       = 3
    desired_size   = 3
    max_size       = 9
  }
}
