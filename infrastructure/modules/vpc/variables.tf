variable "name" {
  description = "Name of the VPC and prefix of its resources, e.g. idp-mcp-dev."
  type        = string
}

variable "cidr" {
  description = "The VPC's IPv4 CIDR block (a /16: sixteen /20 subnets)."
  type        = string
  validation {
    condition     = can(cidrnetmask(var.cidr)) && endswith(var.cidr, "/16")
    error_message = "cidr must be a /16 such as 10.10.0.0/16."
  }
}

variable "az_count" {
  description = "Availability zones to span (2 or 3)."
  type        = number
  default     = 3
  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, for dev) instead of one per zone."
  type        = bool
  default     = false
}

variable "flow_log_retention_days" {
  description = "Days to keep VPC flow logs."
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
