# Run once per account, with local state: the S3 bucket every environment keeps its Terraform state in
# (versioned, KMS-encrypted, TLS only, never public). Locking uses S3's own conditional writes (use_lockfile),
# so no DynamoDB table is needed.

terraform {
  required_version = ">= 1.11"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 6.0" }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { owner = var.owner, team = var.team, environment = "shared" }
  }
}

data "aws_caller_identity" "current" {}

resource "aws_kms_key" "state" {
  description         = "Terraform state of idp-mcp"
  enable_key_rotation = true
  tags                = { Name = "idp-mcp-terraform-state", owner = var.owner, team = var.team, environment = "shared" }
}

resource "aws_kms_alias" "state" {
  name          = "alias/idp-mcp-terraform-state"
  target_key_id = aws_kms_key.state.key_id
}

resource "aws_s3_bucket" "state" {
  bucket = "idp-mcp-tfstate-${data.aws_caller_identity.current.account_id}"
  tags   = { owner = var.owner, team = var.team, environment = "shared" }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TLSOnly"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.state]
}

variable "region" {
  description = "Region of the state bucket."
  type        = string
  default     = "eu-west-1"
}

variable "owner" {
  description = "The owner tag."
  type        = string
  default     = "platform-team"
}

variable "team" {
  description = "The team tag."
  type        = string
  default     = "platform"
}

output "state_bucket" {
  description = "The bucket name for each environment's backend configuration (envs/<env>/backend.hcl)."
  value       = aws_s3_bucket.state.bucket
}

output "state_kms_key_arn" {
  description = "The key encrypting the state (backend kms_key_id)."
  value       = aws_kms_key.state.arn
}
