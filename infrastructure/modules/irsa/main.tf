# One IAM role for one Kubernetes service account (IRSA): only that account in that namespace of that cluster
# may assume it, and it may do only what the given statements say.

resource "aws_iam_role" "this" {
  name        = var.name
  description = "IRSA role of ${var.namespace}/${var.service_account}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = var.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${var.oidc_issuer}:sub" = "system:serviceaccount:${var.namespace}:${var.service_account}"
          "${var.oidc_issuer}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
  max_session_duration = 3600
  tags                 = { owner = var.owner, team = var.team, environment = var.environment }
}

resource "aws_iam_role_policy" "this" {
  name = "least-privilege"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = var.statements
  })
}
