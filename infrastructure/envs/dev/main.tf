# One environment: VPC, EKS, the databases of the idp-mcp store and Keycloak, the IRSA roles of the workloads in
# deploy/, and the GitOps bridge that hands all of it to Argo CD. envs/prod is the same with prod's values.

terraform {
  required_version = ">= 1.11"
  required_providers {
    aws        = { source = "hashicorp/aws", version = "~> 6.0" }
    helm       = { source = "hashicorp/helm", version = "~> 3.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = "~> 2.38" }
    random     = { source = "hashicorp/random", version = "~> 3.7" }
    tls        = { source = "hashicorp/tls", version = "~> 4.0" }
  }
  # Partial configuration: terraform init -backend-config=backend.hcl (bucket from infrastructure/bootstrap).
  backend "s3" {}
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { owner = var.owner, team = var.team, environment = var.environment, "managed-by" = "terraform" }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  name      = "idp-mcp-${var.environment}"
  account   = data.aws_caller_identity.current.account_id
  secrets   = "arn:${data.aws_partition.current.partition}:secretsmanager:${var.region}:${local.account}:secret:idp-mcp/${var.environment}"
  read_verb = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
}

module "vpc" {
  source             = "../../modules/vpc"
  name               = local.name
  cidr               = var.vpc_cidr
  az_count           = var.az_count
  single_nat_gateway = var.single_nat_gateway
  owner              = var.owner
  team               = var.team
  environment        = var.environment
}

module "eks" {
  source               = "../../modules/eks"
  name                 = local.name
  kubernetes_version   = var.kubernetes_version
  private_subnet_ids   = module.vpc.private_subnet_ids
  public_access_cidrs  = var.api_public_access_cidrs
  admin_principal_arns = var.cluster_admin_arns
  node_groups          = var.node_groups
  owner                = var.owner
  team                 = var.team
  environment          = var.environment
}

module "store_db" {
  source                   = "../../modules/rds"
  name                     = "${local.name}-store"
  vpc_id                   = module.vpc.vpc_id
  private_subnet_ids       = module.vpc.private_subnet_ids
  client_security_group_id = module.eks.cluster_security_group_id
  instance_class           = var.db_instance_class
  database                 = "idp_mcp"
  secret_name              = "idp-mcp/${var.environment}/database"
  multi_az                 = var.db_multi_az
  deletion_protection      = var.db_deletion_protection
  owner                    = var.owner
  team                     = var.team
  environment              = var.environment
}

module "keycloak_db" {
  source                   = "../../modules/rds"
  name                     = "${local.name}-keycloak"
  vpc_id                   = module.vpc.vpc_id
  private_subnet_ids       = module.vpc.private_subnet_ids
  client_security_group_id = module.eks.cluster_security_group_id
  instance_class           = var.db_instance_class
  database                 = "keycloak"
  username                 = "keycloak"
  secret_name              = "idp-mcp/${var.environment}/keycloak/database"
  multi_az                 = var.db_multi_az
  deletion_protection      = var.db_deletion_protection
  owner                    = var.owner
  team                     = var.team
  environment              = var.environment
}

# The platform reads its own credentials and the store's connection, nothing else.
module "platform_role" {
  source            = "../../modules/irsa"
  name              = "${local.name}-platform"
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_issuer       = module.eks.oidc_issuer
  namespace         = "idp-mcp"
  service_account   = "platform"
  statements = [
    {
      Sid      = "ReadOwnSecrets"
      Effect   = "Allow"
      Action   = local.read_verb
      Resource = ["${local.secrets}/platform/*", module.store_db.secret_arn]
    },
    {
      Sid      = "DecryptStoreSecret"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = [module.store_db.kms_key_arn]
      Condition = {
        StringEquals = { "kms:ViaService" = "secretsmanager.${var.region}.amazonaws.com" }
      }
    },
  ]
  owner       = var.owner
  team        = var.team
  environment = var.environment
}

# The A2A supervisor runs the platform in-process (same secrets) and its bundled agent calls Bedrock models.
module "a2a_role" {
  source            = "../../modules/irsa"
  name              = "${local.name}-a2a"
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_issuer       = module.eks.oidc_issuer
  namespace         = "idp-mcp"
  service_account   = "a2a"
  statements = [
    {
      Sid      = "ReadPlatformSecrets"
      Effect   = "Allow"
      Action   = local.read_verb
      Resource = ["${local.secrets}/platform/*", module.store_db.secret_arn]
    },
    {
      Sid      = "DecryptStoreSecret"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = [module.store_db.kms_key_arn]
      Condition = {
        StringEquals = { "kms:ViaService" = "secretsmanager.${var.region}.amazonaws.com" }
      }
    },
    {
      Sid      = "InvokeAgentModels"
      Effect   = "Allow"
      Action   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
      Resource = [for model in var.bedrock_model_ids : "arn:${data.aws_partition.current.partition}:bedrock:${var.region}::foundation-model/${model}"]
    },
  ]
  owner       = var.owner
  team        = var.team
  environment = var.environment
}

# Keycloak's secrets (its database, the supervisor's client secret) for the realm in deploy/keycloak.
module "keycloak_role" {
  source            = "../../modules/irsa"
  name              = "${local.name}-keycloak"
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_issuer       = module.eks.oidc_issuer
  namespace         = "keycloak"
  service_account   = "keycloak-secrets"
  statements = [
    {
      Sid      = "ReadOwnSecrets"
      Effect   = "Allow"
      Action   = local.read_verb
      Resource = ["${local.secrets}/keycloak/*"]
    },
    {
      Sid      = "DecryptDatabaseSecret"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = [module.keycloak_db.kms_key_arn]
      Condition = {
        StringEquals = { "kms:ViaService" = "secretsmanager.${var.region}.amazonaws.com" }
      }
    },
  ]
  owner       = var.owner
  team        = var.team
  environment = var.environment
}

provider "kubernetes" {
  host                   = module.eks.cluster_endpoint
  cluster_ca_certificate = base64decode(module.eks.cluster_certificate_authority)
  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = ["eks", "get-token", "--cluster-name", module.eks.cluster_name, "--region", var.region]
  }
}

provider "helm" {
  kubernetes = {
    host                   = module.eks.cluster_endpoint
    cluster_ca_certificate = base64decode(module.eks.cluster_certificate_authority)
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.eks.cluster_name, "--region", var.region]
    }
  }
}

module "gitops_bridge" {
  source         = "../../modules/gitops-bridge"
  cluster_name   = module.eks.cluster_name
  environment    = var.environment
  aws_account_id = local.account
  aws_region     = var.region
  labels = {
    enable_aws_load_balancer_controller = "true"
    enable_external_secrets             = "true"
    enable_cert_manager                 = "true"
    enable_keycloak_operator            = "true"
  }
  annotations = {
    vpc_id                 = module.vpc.vpc_id
    vpc_cidr               = module.vpc.cidr
    platform_role_arn      = module.platform_role.role_arn
    a2a_role_arn           = module.a2a_role.role_arn
    keycloak_role_arn      = module.keycloak_role.role_arn
    store_db_host          = module.store_db.address
    keycloak_db_host       = module.keycloak_db.address
    idp_mcp_secrets_prefix = "idp-mcp/${var.environment}"
  }
  repo_url      = var.gitops_repo_url
  revision      = var.gitops_revision
  root_path     = "deploy/argocd/${var.environment}"
  argocd_domain = var.argocd_domain
}
