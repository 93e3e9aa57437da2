output "data_key_arn" {
  description = "KMS key for data at rest (RDS, documents, secrets, Fargate storage, ECR)."
  value       = aws_kms_key.data.arn
}

output "app_key_arn" {
  description = "KMS multi-Region key the application uses as its master key."
  value       = aws_kms_key.app.arn
}

output "app_key_alias" {
  description = "Alias of the application master key; the same alias names the replica in the DR region."
  value       = aws_kms_alias.app.name
}

output "logs_key_arn" {
  description = "KMS key for logs, the audit trail and SNS topics."
  value       = aws_kms_key.logs.arn
}

output "security_topic_arn" {
  description = "SNS topic for security notifications to administrators."
  value       = aws_sns_topic.security.arn
}

output "audit_bucket_name" {
  description = "Object-Locked bucket holding CloudTrail and AWS Config files."
  value       = aws_s3_bucket.audit.id
}

output "trail_log_group_name" {
  description = "CloudWatch log group with the CloudTrail copy."
  value       = aws_cloudwatch_log_group.trail.name
}
