# The payments service's infrastructure, as the sandbox shows it: built-in terraform_data resources only, so
# plans and applies need no provider download. Workspaces: default (dev) and staging.
terraform {
  required_version = ">= 1.5"
}

variable "service" {
  type    = string
  default = "payments-api"
}

variable "engine_version" {
  description = "Changing it replaces the database (triggers_replace)."
  type        = string
  default     = "16.4"
}

variable "db_password" {
  type      = string
  default   = "sandbox-only-password"
  sensitive = true
}

locals {
  environment = terraform.workspace == "default" ? "dev" : terraform.workspace
  tags = {
    owner       = "alice"
    team        = "payments"
    environment = local.environment
  }
}

module "naming" {
  source      = "./modules/naming"
  service     = var.service
  environment = local.environment
}

resource "terraform_data" "queue" {
  input = { name = "${module.naming.name}-events", tags = local.tags }
}

resource "terraform_data" "database" {
  input            = { name = "${module.naming.name}-db", password = var.db_password, tags = local.tags }
  triggers_replace = [var.engine_version]
}

resource "terraform_data" "service" {
  input      = { name = module.naming.name, database = terraform_data.database.output.name, tags = local.tags }
  depends_on = [terraform_data.queue]
}

output "service_name" {
  value = module.naming.name
}

output "database_name" {
  value = terraform_data.database.output.name
}

output "database_password" {
  value     = var.db_password
  sensitive = true
}
