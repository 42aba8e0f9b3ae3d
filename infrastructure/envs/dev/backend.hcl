# terraform init -backend-config=backend.hcl: the bucket infrastructure/bootstrap created (its output state_bucket).
bucket       = "idp-mcp-tfstate-111122223333"
key          = "idp-mcp/dev/terraform.tfstate"
region       = "eu-west-1"
encrypt      = true
use_lockfile = true
