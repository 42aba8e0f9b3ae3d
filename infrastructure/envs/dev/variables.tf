variable "environment" {
  description = "dev or prod."
  type        = string
  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod (deploy/overlays has those two)."
  }
}

variable "region" {
  description = "AWS region."
  type        = string
}

variable "owner" {
  description = "The owner tag of every resource."
  type        = string
}

variable "team" {
  description = "The team tag of every resource."
  type        = string
}

variable "vpc_cidr" {
  description = "The VPC's /16 (deploy/overlays/<env> NetworkPolicies name it)."
  type        = string
}

variable "az_count" {
  description = "Availability zones."
  type        = number
  default     = 3
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per zone."
  type        = bool
  default     = false
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
  default     = "1.33"
}

variable "api_public_access_cidrs" {
  description = "Office or VPN CIDRs that may reach the public Kubernetes API endpoint; [] for private only."
  type        = list(string)
}

variable "cluster_admin_arns" {
  description = "IAM roles that administer the cluster (e.g. the SSO administrator role)."
  type        = list(string)
}

variable "node_groups" {
  description = "Managed node groups."
  type = map(object({
    instance_types = list(string)
    capacity_type  = optional(string, "ON_DEMAND")
    min_size       = number
    desired_size   = number
    max_size       = number
  }))
}

variable "db_instance_class" {
  description = "RDS instance class of both databases."
  type        = string
}

variable "db_multi_az" {
  description = "Multi-AZ databases."
  type        = bool
}

variable "db_deletion_protection" {
  description = "Deletion protection and a final snapshot."
  type        = bool
}

variable "bedrock_model_ids" {
  description = "Bedrock foundation models the bundled agent may invoke."
  type        = list(string)
}

variable "gitops_repo_url" {
  description = "This repository's URL, as Argo CD clones it."
  type        = string
}

variable "gitops_revision" {
  description = "The revision the root Application follows (a release tag in prod)."
  type        = string
}

variable "argocd_domain" {
  description = "Host name of the Argo CD UI."
  type        = string
}
