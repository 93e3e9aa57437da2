variable "name" {
  description = "Name prefix for every resource, e.g. \"assetstatus-prod\"."
  type        = string
}

variable "account_id" {
  description = "AWS account ID of the environment."
  type        = string
}

variable "region" {
  description = "Primary AWS region."
  type        = string
}

variable "dr_region" {
  description = "Region that keeps the remote copies (X2), e.g. ap-northeast-3 (Osaka) for ap-northeast-1 (Tokyo)."
  type        = string
}

variable "db_instance_arn" {
  description = "RDS instance to back up daily (O1)."
  type        = string
}

variable "db_subnet_group_name" {
  description = "Subnet group the restore test restores the database into."
  type        = string
}

variable "db_security_group_id" {
  description = "Security group given to the database the restore test creates."
  type        = string
}

variable "documents_bucket" {
  description = "Identity-document bucket: backed up daily and replicated to the DR region."
  type = object({
    name = string
    arn  = string
  })
}

variable "data_key_arn" {
  description = "KMS key the document bucket is encrypted with (replication decrypts with it)."
  type        = string
}

variable "app_key_arn" {
  description = "Multi-Region application master key; a replica in the DR region lets restored data be read there."
  type        = string
}

variable "app_key_alias" {
  description = "Alias of the application master key, repeated on the replica."
  type        = string
}

variable "ops_topic_arn" {
  description = "SNS topic told about failed backup, copy and restore-test jobs (A2)."
  type        = string
}

variable "schedule" {
  description = "When the daily backup starts (UTC cron). Default 18:00 UTC = 03:00 JST, the quietest hour."
  type        = string
  default     = "cron(0 18 * * ? *)"
}

variable "retention_days" {
  description = "Days a daily recovery point is kept in the primary region."
  type        = number
  default     = 35
}

variable "dr_retention_days" {
  description = "Days the copy in the DR region is kept."
  type        = number
  default     = 35
}

variable "vault_lock_mode" {
  description = "COMPLIANCE: after the grace period nobody, not even the account root, can delete recovery points early or change the lock (prod). GOVERNANCE: privileged users can (test)."
  type        = string
  default     = "COMPLIANCE"
  validation {
    condition     = contains(["COMPLIANCE", "GOVERNANCE"], var.vault_lock_mode)
    error_message = "vault_lock_mode must be COMPLIANCE or GOVERNANCE."
  }
}

variable "restore_test" {
  description = "Restore the latest database recovery point every week into a throw-away instance and check it (O1: a backup counts when it restores)."
  type        = bool
  default     = true
}

variable "key_deletion_window_days" {
  description = "Waiting period before a scheduled KMS key deletion takes effect."
  type        = number
  default     = 30
}

variable "mock" {
  description = "Leave out what moto_server cannot emulate (backup selections, restore testing, vault lock, KMS replica keys); used by the moto test only."
  type        = bool
  default     = false
}

variable "application_backup_writer_role_arns" {
  description = "The only IAM roles that may read, write, delete or list the application's backups: the task role of the service that runs the worker role. Everyone else, administrators included, is denied by the bucket policy."
  type        = list(string)
  validation {
    condition     = length(var.application_backup_writer_role_arns) > 0
    error_message = "Name at least the worker's task role, or nobody can write the application's backups."
  }
}

variable "application_backup_key_noncurrent_days" {
  description = "Days a deleted customer's escrowed key (keys/<customer>) survives as a noncurrent version. Until then the customer's data can still be opened from older archives, so keep it short."
  type        = number
  default     = 1
  validation {
    condition     = var.application_backup_key_noncurrent_days >= 1 && var.application_backup_key_noncurrent_days <= 7
    error_message = "application_backup_key_noncurrent_days must be between 1 and 7: a deleted customer's key must not outlive the deletion by more than a week."
  }
}

variable "application_backup_noncurrent_days" {
  description = "Days an archive or manifest the application pruned (or overwrote) stays recoverable as a noncurrent version."
  type        = number
  default     = 7
}
