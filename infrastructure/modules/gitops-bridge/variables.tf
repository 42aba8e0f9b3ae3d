variable "cluster_name" {
  description = "The EKS cluster Argo CD runs in and deploys to."
  type        = string
}

variable "environment" {
  description = "dev or prod: the cluster Secret's environment label."
  type        = string
}

variable "aws_account_id" {
  description = "The account, as a cluster fact."
  type        = string
}

variable "aws_region" {
  description = "The region, as a cluster fact."
  type        = string
}

variable "labels" {
  description = "More labels of the cluster Secret (ApplicationSet cluster generators select on them), e.g. enable_external_secrets = true."
  type        = map(string)
  default     = {}
}

variable "annotations" {
  description = "Cluster facts for ApplicationSets: IRSA role ARNs, VPC id and CIDR, database hosts."
  type        = map(string)
  default     = {}
}

variable "repo_url" {
  description = "The Git repository holding deploy/ (this repository)."
  type        = string
}

variable "revision" {
  description = "The branch, tag or commit the root Application follows (a release tag in prod)."
  type        = string
}

variable "root_path" {
  description = "The path of the apps the root Application deploys, e.g. deploy/argocd/dev."
  type        = string
}

variable "argocd_domain" {
  description = "Host name of the Argo CD UI."
  type        = string
}

variable "argocd_chart_version" {
  description = "argo-helm argo-cd chart version (pinned)."
  type        = string
  default     = "8.1.3"
}

variable "argocd_apps_chart_version" {
  description = "argo-helm argocd-apps chart version (pinned)."
  type        = string
  default     = "2.0.2"
}
