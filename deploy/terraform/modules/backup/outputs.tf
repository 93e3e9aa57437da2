output "backup_role_arn" {
  description = "Role AWS Backup uses; the document bucket policy admits it."
  value       = aws_iam_role.backup.arn
}

output "replication_role_arn" {
  description = "Role S3 replication uses; the document bucket policy admits it."
  value       = aws_iam_role.replication.arn
}

output "primary_vault_arn" {
  description = "Backup vault in the primary region."
  value       = aws_backup_vault.primary.arn
}

output "dr_vault_arn" {
  description = "Backup vault in the DR region."
  value       = aws_backup_vault.dr.arn
}

output "dr_bucket_name" {
  description = "Replica of the document bucket in the DR region."
  value       = aws_s3_bucket.dr.id
}
