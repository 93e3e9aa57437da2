output "db_instance_arn" {
  description = "ARN of the RDS instance (AWS Backup selection)."
  value       = aws_db_instance.this.arn
}

output "db_instance_id" {
  description = "Identifier of the RDS instance (CloudWatch dimensions)."
  value       = aws_db_instance.this.identifier
}

output "db_endpoint" {
  description = "Host name of the database, for the connection URLs in the secrets."
  value       = aws_db_instance.this.address
}

output "db_security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.db.id
}

output "documents_bucket_name" {
  description = "Name of the identity-document bucket."
  value       = aws_s3_bucket.documents.bucket
}

output "documents_bucket_arn" {
  description = "ARN of the identity-document bucket."
  value       = aws_s3_bucket.documents.arn
}

output "secret_arns" {
  description = "ARNs of the secrets by name: database-url-app, database-url-migrate, smtp-url, and alert-webhook-url when alert_webhook is on."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.arn }
}

output "secret_names" {
  description = "Names of the secrets by key; task definitions refer to them by name so the plan shows the whole container definition."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.name }
}

output "smtp_host" {
  description = "SES SMTP host; resolves to the email-smtp VPC endpoint inside the VPC."
  value       = "email-smtp.${var.region}.amazonaws.com"
}

output "ses_configuration_set" {
  description = "SES configuration set name (CloudWatch dimension)."
  value       = var.name
}
