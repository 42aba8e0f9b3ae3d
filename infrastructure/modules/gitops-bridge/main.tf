# The GitOps bridge: Terraform installs Argo CD, registers this cluster with Argo CD as a cluster Secret whose
# labels and annotations carry the facts only Terraform knows (account, region, VPC, IRSA roles, database
# endpoints), and creates the root Application (deploy/argocd/<env>/root.yaml's equivalent). From then on Argo CD
# deploys everything else from Git; ApplicationSets select clusters by these labels and read the annotations.

resource "helm_release" "argocd" {
  name             = "argo-cd"
  repository       = "https://argoproj.github.io/argo-helm"
  chart            = "argo-cd"
  version          = var.argocd_chart_version
  namespace        = "argocd"
  create_namespace = true
  wait             = true
  values = [yamlencode({
    global = { domain = var.argocd_domain }
    configs = {
      params = { "server.insecure" = false }
      cm     = { "admin.enabled" = false }
    }
  })]
}

resource "kubernetes_secret_v1" "cluster" {
  metadata {
    name      = "in-cluster-${var.cluster_name}"
    namespace = "argocd"
    labels = merge(
      { "argocd.argoproj.io/secret-type" = "cluster", environment = var.environment, cluster_name = var.cluster_name },
      var.labels,
    )
    annotations = merge(
      { aws_account_id = var.aws_account_id, aws_region = var.aws_region, cluster_name = var.cluster_name },
      var.annotations,
    )
  }
  data = {
    name   = var.cluster_name
    server = "https://kubernetes.default.svc"
    config = jsonencode({ tlsClientConfig = { insecure = false } })
  }
  depends_on = [helm_release.argocd]
}

# The app of apps, through the argo-helm chart that creates Applications (its CRDs exist once Argo CD does).
resource "helm_release" "root" {
  name       = "idp-mcp-root"
  repository = "https://argoproj.github.io/argo-helm"
  chart      = "argocd-apps"
  version    = var.argocd_apps_chart_version
  namespace  = "argocd"
  values = [yamlencode({
    projects = {
      idp-mcp-root = {
        namespace                  = "argocd"
        description                = "the idp-mcp app of apps"
        sourceRepos                = [var.repo_url]
        destinations               = [{ server = "https://kubernetes.default.svc", namespace = "argocd" }]
        namespaceResourceWhitelist = [{ group = "argoproj.io", kind = "Application" }, { group = "argoproj.io", kind = "AppProject" }]
      }
    }
    applications = {
      idp-mcp-root = {
        namespace   = "argocd"
        project     = "idp-mcp-root"
        source      = { repoURL = var.repo_url, targetRevision = var.revision, path = var.root_path }
        destination = { server = "https://kubernetes.default.svc", namespace = "argocd" }
        syncPolicy  = { automated = { prune = true, selfHeal = true } }
      }
    }
  })]
  depends_on = [kubernetes_secret_v1.cluster]
}
