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

output "application_backup_bucket_name" {
  description = "Bucket of the application's own backups in the DR region (ASSETSTATUS_BACKUP__S3__BUCKET)."
  value       = aws_s3_bucket.application_backups.bucket
}

output "application_backup_bucket_arn" {
  description = "ARN of the application backup bucket."
  value       = aws_s3_bucket.application_backups.arn
}

output "application_backup_region" {
  description = "Region of the application backup bucket (ASSETSTATUS_BACKUP__S3__REGION)."
  value       = var.dr_region
}

output "application_backup_prefix" {
  description = "Key prefix of the application's backups (ASSETSTATUS_BACKUP__S3__PREFIX); the escrowed keys are under <prefix>/keys/."
  value       = local.application_backup_prefix
}

output "application_backup_key_arn" {
  description = "KMS key (DR region) the application backup bucket is encrypted with."
  value       = aws_kms_key.application_backups.arn
}
