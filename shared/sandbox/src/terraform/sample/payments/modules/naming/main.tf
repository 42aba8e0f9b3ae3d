variable "service" {
  type = string
}

variable "environment" {
  type = string
}

output "name" {
  value = "${var.service}-${var.environment}"
}
