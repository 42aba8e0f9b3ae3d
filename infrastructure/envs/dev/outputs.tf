output "cluster_name" {
  description = "aws eks update-kubeconfig --name <this>."
  value       = module.eks.cluster_name
}

output "vpc_cidr" {
  description = "deploy/overlays/<env>: the NetworkPolicies' ipBlock."
  value       = module.vpc.cidr
}

output "irsa_role_arns" {
  description = "deploy/overlays/<env>: the ServiceAccounts' eks.amazonaws.com/role-arn."
  value = {
    platform = module.platform_role.role_arn
    a2a      = module.a2a_role.role_arn
    keycloak = module.keycloak_role.role_arn
  }
}

output "database_hosts" {
  description = "deploy/overlays/<env>: the Keycloak CR's db.host (the store's connection is in its secret)."
  value = {
    store    = module.store_db.address
    keycloak = module.keycloak_db.address
  }
}
