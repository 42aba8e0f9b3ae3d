output "cluster_secret" {
  description = "The Argo CD cluster Secret carrying the cluster facts."
  value       = "${kubernetes_secret_v1.cluster.metadata[0].namespace}/${kubernetes_secret_v1.cluster.metadata[0].name}"
}
