# The checkout service's infrastructure: planned, never applied, and not yet formatted.
locals {
    service = "checkout-api"
  replicas = 3
}

resource "terraform_data" "service" {
  input = {name = local.service, replicas = local.replicas}
}

output "service_name" {
    value = local.service
}
