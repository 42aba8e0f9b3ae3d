# terraform init -backend-config=backend.hcl: the bucket infrastructure/bootstrap created (its output state_bucket).
bucket       = "idp-mcp-tfstate-444455556666"
key          = "idp-mcp/prod/terraform.tfstate"
region       = "eu-west-1"
encrypt      = true
use_lockfile = true
