variable "name" {
  description = "Instance identifier, e.g. idp-mcp-dev-store."
  type        = string
}

variable "vpc_id" {
  description = "The VPC of the database."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (at least two zones) for the subnet group."
  type        = list(string)
}

variable "client_security_group_id" {
  description = "The only security group allowed to connect (the EKS cluster security group)."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL version."
  type        = string
  default     = "17.5"
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.medium"
}

variable "allocated_storage_gib" {
  description = "Initial storage; autoscaling goes up to four times this."
  type        = number
  default     = 20
}

variable "database" {
  description = "The database created on the instance."
  type        = string
}

variable "username" {
  description = "The master user the workloads connect as."
  type        = string
  default     = "idp_mcp"
}

variable "password_version" {
  description = "Raise by one to generate and store a new password (rotation)."
  type        = number
  default     = 1
}

variable "secret_name" {
  description = "Secrets Manager name of the connection secret, e.g. idp-mcp/dev/database."
  type        = string
}

variable "multi_az" {
  description = "A standby in a second zone (prod)."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Refuse deletion and keep a final snapshot (prod)."
  type        = bool
  default     = true
}

variable "owner" {
  description = "The owner tag."
  type        = string
}

variable "team" {
  description = "The team tag."
  type        = string
}

variable "environment" {
  description = "The environment tag."
  type        = string
}
