variable "name" {
  description = "The role's name, e.g. idp-mcp-dev-platform."
  type        = string
}

variable "oidc_provider_arn" {
  description = "The cluster's IAM OIDC provider (module eks: oidc_provider_arn)."
  type        = string
}

variable "oidc_issuer" {
  description = "The cluster's OIDC issuer without https:// (module eks: oidc_issuer)."
  type        = string
}

variable "namespace" {
  description = "The service account's namespace."
  type        = string
}

variable "service_account" {
  description = "The service account's name."
  type        = string
}

variable "statements" {
  description = "IAM policy statements (Effect, Action, Resource, Condition): name each action and resource, no wildcards."
  type = list(object({
    Sid       = string
    Effect    = string
    Action    = list(string)
    Resource  = list(string)
    Condition = optional(map(map(any)))
  }))
  validation {
    condition     = alltrue([for s in var.statements : !contains(s.Action, "*") && !contains(s.Resource, "*")])
    error_message = "statements must name their actions and resources: no \"*\"."
  }
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
