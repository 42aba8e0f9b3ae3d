output "address" {
  description = "The instance's host name."
  value       = aws_db_instance.this.address
}

output "secret_arn" {
  description = "The connection secret's ARN."
  value       = aws_secretsmanager_secret.this.arn
}

output "kms_key_arn" {
  description = "The key encrypting the instance and its secret (readers of the secret need kms:Decrypt on it)."
  value       = aws_kms_key.this.arn
}
