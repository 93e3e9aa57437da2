variable "name" {
  description = "Name prefix for every resource, e.g. \"assetstatus-prod\"."
  type        = string
}

variable "region" {
  description = "Primary AWS region (SES SMTP host name, MAIL FROM MX record)."
  type        = string
}

variable "account_id" {
  description = "AWS account ID; makes bucket names globally unique."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "data_subnet_ids" {
  description = "Private data subnets in two zones for the database subnet group."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups (by name) whose members may open PostgreSQL connections, i.e. the application tasks."
  type        = map(string)
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the database, its backups, the document bucket and the secrets."
  type        = string
}

variable "logs_kms_key_arn" {
  description = "Customer-managed KMS key for the database's CloudWatch log groups."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the database logs in CloudWatch Logs."
  type        = number
  default     = 400
}

variable "alert_webhook" {
  description = "Create the secret alert-webhook-url, whose value (an incoming-webhook URL) the services receive as ASSETSTATUS_OPS__ALERT_WEBHOOK_URL."
  type        = bool
  default     = false
}

variable "db_instance_class" {
  description = "RDS instance class; a Graviton burstable class is enough for the user test (O9, O10: scale up by changing it)."
  type        = string
  default     = "db.t4g.small"
}

variable "db_multi_az" {
  description = "Run a synchronous standby in the second zone with automatic failover (O6)."
  type        = bool
  default     = true
}

variable "db_engine_version" {
  description = "PostgreSQL major version; minor versions are upgraded automatically in the maintenance window (O4)."
  type        = string
  default     = "17"
}

variable "db_allocated_storage_gb" {
  description = "Initial gp3 storage; storage autoscaling grows it up to db_max_allocated_storage_gb."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage_gb" {
  description = "Upper limit of storage autoscaling."
  type        = number
  default     = 200
}

variable "db_backup_retention_days" {
  description = "Point-in-time recovery window of RDS automated backups (AWS Backup keeps the daily copies)."
  type        = number
  default     = 7
}

variable "deletion_protection" {
  description = "Refuse to delete the database."
  type        = bool
  default     = true
}

variable "document_access_role_arns" {
  description = "The only IAM roles that may read or write identity documents: the task roles with read or read-write document access, AWS Backup and S3 replication. Listing is not restricted by the bucket policy, so a list-only task role (a document-store probe alone) is not named here. Business operators see documents through the back office only (B4, B6)."
  type        = list(string)
}

variable "document_noncurrent_days" {
  description = "Days an overwritten or deleted document version stays recoverable."
  type        = number
  default     = 35
}

variable "zone_id" {
  description = "Public Route 53 zone where the SES domain records (DKIM, SPF, DMARC, MAIL FROM) are written."
  type        = string
}

variable "mail_domain" {
  description = "Domain the application sends mail from, e.g. \"example-assetstatus.jp\"."
  type        = string
}

variable "dmarc_report_address" {
  description = "Mailbox that receives DMARC aggregate reports."
  type        = string
}

variable "mock" {
  description = "Leave out what moto_server cannot emulate (used by the moto test only)."
  type        = bool
  default     = false
}
