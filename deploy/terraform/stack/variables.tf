variable "environment" {
  description = "Environment name: test, staging or prod."
  type        = string
  validation {
    condition     = contains(["test", "staging", "prod"], var.environment)
    error_message = "environment must be test, staging or prod."
  }
}

variable "account_id" {
  description = "AWS account of the environment (one account per environment)."
  type        = string
}

variable "region" {
  description = "Primary region."
  type        = string
  default     = "ap-northeast-1"
}

variable "dr_region" {
  description = "Region for remote backup copies (X2)."
  type        = string
  default     = "ap-northeast-3"
}

variable "azs" {
  description = "The two availability zones of the primary region."
  type        = list(string)
  default     = ["ap-northeast-1a", "ap-northeast-1c"]
}

variable "vpc_cidr" {
  description = "VPC range; distinct per environment and from the company networks."
  type        = string
}

variable "domain" {
  description = "DNS zone of the environment (customers: www.<domain>; staff: staff.<domain>)."
  type        = string
}

variable "mail_domain" {
  description = "Domain the mails are sent from."
  type        = string
}

variable "mail_from" {
  description = "Sender shown on customer mails."
  type        = string
}

variable "dmarc_report_address" {
  description = "Mailbox for DMARC aggregate reports."
  type        = string
}

variable "company_cidrs" {
  description = "Company networks (staff PCs, future core-banking data centre) reached over VPN / Direct Connect."
  type        = list(string)
}

variable "company_vpn_peer_ip" {
  description = "Public IP of the company VPN router; null leaves the VPN out."
  type        = string
  default     = null
}

variable "staff_dns_inbound_resolver" {
  description = "Create a Route 53 Resolver inbound endpoint for the company DNS."
  type        = bool
  default     = false
}

variable "cloudfront_origin_prefix_list_id" {
  description = "ID of com.amazonaws.global.cloudfront.origin-facing in the primary region."
  type        = string
}

variable "egress_allowed_domains" {
  description = "Internet domains the tasks may reach through the Network Firewall (O8)."
  type        = list(string)
}

variable "firewall_az_count" {
  description = "Zones with a firewall endpoint and NAT gateway (1 saves about USD 330 a month, 2 survives a zone failure for egress)."
  type        = number
}

variable "admin_emails" {
  description = "System administrators (failure and security notifications)."
  type        = list(string)
}

variable "alert_webhook" {
  description = "Also send the application's alerts to an incoming webhook (Slack-compatible). Creates the secret <name>/alert-webhook-url, whose value the bootstrap runbook puts before the next deployment; the webhook's host must be in egress_allowed_domains."
  type        = bool
  default     = false
}

variable "operator_emails" {
  description = "Business operators: cost notifications and notices of new applications."
  type        = list(string)
}

variable "monthly_budget_usd" {
  description = "Monthly cost that triggers the business operators' notification."
  type        = number
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "db_multi_az" {
  description = "Synchronous standby database in the second zone."
  type        = bool
}

variable "services" {
  description = "ECS services (role groups) with their sizes; see modules/compute."
  type = map(object({
    roles         = list(string)
    load_balancer = optional(string)
    documents     = string
    cpu           = number
    memory        = number
    min_tasks     = number
    max_tasks     = number
  }))
}

variable "image_digest" {
  description = "Image digest the services run."
  type        = string
}

variable "migrate_image_digest" {
  description = "Image digest the migrate task runs."
  type        = string
}

variable "otel_collector_image_digest" {
  description = <<-EOT
    Digest of the AWS Distro for OpenTelemetry collector (public.ecr.aws/aws-observability/aws-otel-collector),
    the traces sidecar of every service, pulled through the registry's ECR Public cache. Unset (null): no
    collector sidecar, no pull-through cache, no X-Ray permission, no X-Ray VPC endpoint, and no traces:
    the application is not given ASSETSTATUS_TELEMETRY__OTLP_ENDPOINT and exports nothing without it.
    Set: traces are on. The value is the digest of the image index (all architectures) of the release to
    run, e.g.
    `crane digest public.ecr.aws/aws-observability/aws-otel-collector:<version>`; a new digest reaches test
    first like any change (deploy/README.md, "Traces").
  EOT
  type        = string
  default     = null
}

variable "promotion_pullers" {
  description = "Deploy roles of the next environment allowed to pull images from this one's registry."
  type        = list(string)
  default     = []
}

variable "github_repository" {
  description = "Repository whose pipeline may deploy (owner/name)."
  type        = string
}

variable "github_environment" {
  description = "GitHub environment of the deploy job."
  type        = string
}

variable "protect" {
  description = "Deletion protection on the database, load balancers and firewall."
  type        = bool
  default     = true
}

variable "lock_mode" {
  description = "Object Lock and vault lock mode: COMPLIANCE (prod) or GOVERNANCE."
  type        = string
  default     = "COMPLIANCE"
}

variable "backup_retention_days" {
  description = "Days daily backups are kept, in each region."
  type        = number
  default     = 35
}

variable "wait_for_services" {
  description = "Make terraform apply wait until the services are stable (false only for the bootstrap apply, before the secrets have values)."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of all CloudWatch log groups."
  type        = number
  default     = 400
}
