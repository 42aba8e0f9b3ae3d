# Example values for dev: replace the account-specific ones (ARNs, CIDRs) with yours.
environment             = "dev"
region                  = "eu-west-1"
owner                   = "platform-team"
team                    = "platform"
vpc_cidr                = "10.10.0.0/16"
az_count                = 2
single_nat_gateway      = true
api_public_access_cidrs = ["203.0.113.0/24"]
cluster_admin_arns      = ["arn:aws:iam::111122223333:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef"]
db_instance_class       = "db.t4g.medium"
db_multi_az             = false
db_deletion_protection  = false
bedrock_model_ids       = ["anthropic.claude-sonnet-4-5-20250929-v1:0"]
gitops_repo_url         = "https://github.com/acme/idp-mcp.git"
gitops_revision         = "main"
argocd_domain           = "argocd.dev.idp.example.com"

node_groups = {
  general = {
    instance_types = ["m7i.large"]
    min_size       = 2
    desired_size   = 2
    max_size       = 4
  }
}
