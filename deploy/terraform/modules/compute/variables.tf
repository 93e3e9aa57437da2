variable "name" {
  description = "Name prefix for every resource; also the ECS cluster name."
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

variable "vpc_id" {
  description = "VPC of the services."
  type        = string
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC: VPC endpoints live in it, and it is the only trusted proxy range (the internal load balancers)."
  type        = string
}

variable "app_subnet_ids" {
  description = "Private app subnets in two zones for tasks and internal load balancers."
  type        = list(string)
}

variable "s3_prefix_list_id" {
  description = "Prefix list of the S3 gateway endpoint (egress for documents and image layers)."
  type        = string
}

variable "allow_internet_egress" {
  description = "Let tasks open HTTPS connections to the internet. The route goes through the Network Firewall, which only passes the allow-listed domains (O8)."
  type        = bool
  default     = true
}

variable "db_security_group_id" {
  description = "Security group of the database, the only PostgreSQL destination."
  type        = string
}

variable "data_key_arn" {
  description = "Customer-managed KMS key for ECR, Fargate ephemeral storage, documents and secrets."
  type        = string
}

variable "logs_key_arn" {
  description = "Customer-managed KMS key for the service log groups."
  type        = string
}

variable "app_key_arn" {
  description = "KMS key the application uses as master key (ASSETSTATUS_MASTER_KEY__KMS_KEY_ID)."
  type        = string
}

variable "app_key_alias" {
  description = "Alias of the master key given to the application; it resolves to the replica key in the DR region as well."
  type        = string
}

variable "secret_names" {
  description = "Secrets Manager names by key (same keys as secret_arns), used in the task definitions."
  type        = map(string)
  validation {
    condition     = alltrue([for n in values(var.secret_names) : !can(regex("-[A-Za-z0-9]{6}$", n))])
    error_message = "A secret name must not end in a hyphen and six characters, or its partial ARN becomes ambiguous."
  }
}

variable "secret_arns" {
  description = "Secrets Manager ARNs by name: database-url-app, database-url-migrate, smtp-url, and alert-webhook-url when the webhook is on."
  type        = map(string)
}

variable "documents_bucket_name" {
  description = "Bucket for identity documents (ASSETSTATUS_DOCUMENTS__S3_BUCKET)."
  type        = string
}

variable "operator_emails" {
  description = "Business operators' mailboxes, told of each new application (ASSETSTATUS_APPLICATIONS__OPERATOR_ADDRESSES)."
  type        = list(string)
}

variable "alert_emails" {
  description = "System administrators' mailboxes, told of the application's alerts (ASSETSTATUS_OPS__ALERT_MAIL_TO); empty sends no alert mail."
  type        = list(string)
  default     = []
}

variable "public_certificate_arn" {
  description = "Regional ACM certificate of the customer host names, presented by the customer load balancer to CloudFront."
  type        = string
}

variable "staff_certificate_arn" {
  description = "Regional ACM certificate of the staff host name."
  type        = string
}

variable "cloudfront_origin_prefix_list_id" {
  description = "ID of the AWS-managed prefix list com.amazonaws.global.cloudfront.origin-facing in this region; the only source the customer load balancer accepts."
  type        = string
}

variable "staff_allowed_cidrs" {
  description = "Company networks (over VPN / Direct Connect) allowed to reach the staff load balancer (O5)."
  type        = list(string)
}

variable "public_base_url" {
  description = "Address customers use, e.g. https://www.example-assetstatus.jp."
  type        = string
}

variable "mail_from" {
  description = "Sender shown on customer mails, e.g. \"Example Bank <no-reply@example-assetstatus.jp>\"."
  type        = string
}

variable "image_digest" {
  description = "Digest (sha256:...) of the image the services run. Deploys are by digest, never by tag."
  type        = string
  validation {
    condition     = can(regex("^sha256:[0-9a-f]{64}$", var.image_digest))
    error_message = "image_digest must look like sha256:<64 hex digits>."
  }
}

variable "migrate_image_digest" {
  description = "Digest of the image the migrate task runs; the pipeline moves it first, runs the migration, then moves image_digest."
  type        = string
  validation {
    condition     = can(regex("^sha256:[0-9a-f]{64}$", var.migrate_image_digest))
    error_message = "migrate_image_digest must look like sha256:<64 hex digits>."
  }
}

variable "otel_collector_image_digest" {
  description = "Digest (sha256:...) of the AWS Distro for OpenTelemetry collector image (public.ecr.aws/aws-observability/aws-otel-collector), the traces sidecar of every service; pulled through the registry's ECR Public cache (ecr.tf), by digest, never by tag. null: no sidecar, no cache, no X-Ray permission, and the application is told no OTLP endpoint, so it exports no traces."
  type        = string
  default     = null
  validation {
    condition     = var.otel_collector_image_digest == null || can(regex("^sha256:[0-9a-f]{64}$", var.otel_collector_image_digest))
    error_message = "otel_collector_image_digest must be null (no traces) or look like sha256:<64 hex digits>."
  }
}

variable "promotion_pullers" {
  description = "IAM roles of the next environment's pipeline (e.g. the staging deploy role for the test registry) that may pull images to promote them: the digest tested here is the digest deployed there."
  type        = list(string)
  default     = []
}

variable "cpu_architecture" {
  description = "ARM64 (Graviton, about 20 % cheaper on Fargate) or X86_64; the image must be built for it."
  type        = string
  default     = "ARM64"
}

variable "services" {
  description = <<-EOT
    ECS services, each a group of application roles in one process (`assetstatus serve --roles ...`).
      roles          - roles the process runs
      load_balancer  - "public" (customer ALB, port 8080), "staff" (staff ALB, port 8081) or null
      documents      - access to the document bucket: "read-write", "read", "list" (only list the
                       documents prefix: the document-store probe, no object read or write) or "none"
      cpu, memory    - Fargate task size
      min_tasks      - lower bound of auto scaling, at least 2 so both zones always run one (O6)
      max_tasks      - upper bound of auto scaling (O10)
  EOT
  type = map(object({
    roles         = list(string)
    load_balancer = optional(string)
    documents     = string
    cpu           = number
    memory        = number
    min_tasks     = number
    max_tasks     = number
  }))
  validation {
    condition     = alltrue([for s in values(var.services) : s.min_tasks >= 2 && s.max_tasks >= s.min_tasks])
    error_message = "Every service needs min_tasks >= 2 (two zones) and max_tasks >= min_tasks."
  }
  validation {
    condition     = alltrue([for s in values(var.services) : s.load_balancer == null || contains(["public", "staff"], coalesce(s.load_balancer, "none"))])
    error_message = "load_balancer must be \"public\", \"staff\" or null."
  }
  validation {
    condition     = alltrue([for s in values(var.services) : contains(["read-write", "read", "list", "none"], s.documents)])
    error_message = "documents must be \"read-write\", \"read\", \"list\" or \"none\"."
  }
}

variable "cpu_target_percent" {
  description = "Average CPU the auto scaling keeps each service at."
  type        = number
  default     = 60
}

variable "requests_per_task_target" {
  description = "Load balancer requests per task per minute the auto scaling aims at."
  type        = number
  default     = 1000
}

variable "deletion_protection" {
  description = "Refuse to delete the load balancers."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the service logs in CloudWatch Logs."
  type        = number
  default     = 400
}

variable "wait_for_steady_state" {
  description = "Make terraform apply wait until every service is stable, so a failed deploy fails the pipeline."
  type        = bool
  default     = true
}

variable "application_backups" {
  description = <<-EOT
    Where the application's own backups go (crates/backup): an S3 bucket in the DR region. Only the
    services that run the worker role receive it (ASSETSTATUS_BACKUP__S3__*) and may use it.
      bucket      - bucket name
      region      - its region (the DR region)
      prefix      - key prefix; the escrowed customer keys are under <prefix>/keys/
      kms_key_arn - the bucket's KMS key (SSE-KMS through S3 only)
  EOT
  type = object({
    bucket      = string
    region      = string
    prefix      = string
    kms_key_arn = string
  })
}
