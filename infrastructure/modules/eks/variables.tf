variable "name" {
  description = "Cluster name, e.g. idp-mcp-dev."
  type        = string
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
  default     = "1.33"
}

variable "private_subnet_ids" {
  description = "Private subnets for the control-plane ENIs and the nodes."
  type        = list(string)
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint (office or VPN ranges); [] keeps the endpoint private."
  type        = list(string)
  validation {
    condition     = !contains(var.public_access_cidrs, "0.0.0.0/0")
    error_message = "public_access_cidrs must not contain 0.0.0.0/0: list the office or VPN ranges, or [] for a private endpoint."
  }
}

variable "admin_principal_arns" {
  description = "IAM roles or users that administer the cluster (EKS access entries with the cluster admin policy)."
  type        = list(string)
}

variable "node_groups" {
  description = "Managed node groups by name."
  type = map(object({
    instance_types = list(string)
    capacity_type  = optional(string, "ON_DEMAND")
    min_size       = number
    desired_size   = number
    max_size       = number
  }))
}

variable "node_disk_gib" {
  description = "Root volume size of each node."
  type        = number
  default     = 50
}

variable "log_retention_days" {
  description = "Days to keep control-plane logs."
  type        = number
  default     = 365
}

variable "owner" {
  description = "The owner tag of every resource."
  type        = string
}

variable "team" {
  description = "The team tag of every resource."
  type        = string
}

variable "environment" {
  description = "The environment tag of every resource (dev, prod)."
  type        = string
}
