variable "name" {
  description = "Name prefix for every resource, e.g. \"assetstatus-prod\"."
  type        = string
}

variable "region" {
  description = "Primary AWS region."
  type        = string
}

variable "account_id" {
  description = "AWS account ID of the environment."
  type        = string
}

variable "ecs_cluster_name" {
  description = "Name the ECS cluster will have; the data key allows Fargate to encrypt that cluster's ephemeral storage."
  type        = string
}

variable "documents_bucket_arn" {
  description = "ARN of the identity-document bucket; CloudTrail records every object read and write on it (A4)."
  type        = string
}

variable "application_backup_bucket_arn" {
  description = "ARN of the bucket of the application's own backups (DR region); CloudTrail records every object read, write and delete on it (A4)."
  type        = string
}

variable "admin_emails" {
  description = "System administrators notified of security findings (A3)."
  type        = list(string)
}

variable "log_retention_days" {
  description = "Retention of the CloudTrail copy in CloudWatch Logs."
  type        = number
  default     = 400
}

variable "audit_log_retention_days" {
  description = "Object Lock retention and lifetime of CloudTrail and AWS Config files in the audit bucket."
  type        = number
  default     = 2557
}

variable "audit_log_lock_mode" {
  description = "Object Lock mode of the audit bucket: COMPLIANCE (nobody can shorten it, prod) or GOVERNANCE (privileged users can, test)."
  type        = string
  default     = "COMPLIANCE"
  validation {
    condition     = contains(["COMPLIANCE", "GOVERNANCE"], var.audit_log_lock_mode)
    error_message = "audit_log_lock_mode must be COMPLIANCE or GOVERNANCE."
  }
}

variable "key_deletion_window_days" {
  description = "Waiting period before a scheduled KMS key deletion takes effect."
  type        = number
  default     = 30
}
