# Environment prod: hosts the general user test with about 1,000 customers, and later production.
# Everything redundant over two zones, including egress (two firewall endpoints and NAT gateways);
# COMPLIANCE locks on audit logs and backups.

terraform {
  required_version = ">= 1.9, < 2.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
  # State in an S3 bucket of this account (encrypted, versioned, native locking); the pipeline
  # passes bucket and key with -backend-config. deploy/check runs with -backend=false.
  backend "s3" {}
}

variable "image_digest" {
  description = "Digest of the image the services run (set by the pipeline)."
  type        = string
}

variable "migrate_image_digest" {
  description = "Digest of the image the migrate task runs; defaults to image_digest."
  type        = string
  default     = null
}

variable "otel_collector_image_digest" {
  description = "Digest of the traces collector image (stack/variables.tf); unset: no collector sidecar and no traces. Set it in this directory's traces.auto.tfvars (deploy/README.md, \"Traces\")."
  type        = string
  default     = null
}

variable "wait_for_services" {
  description = "Wait for stable services on apply; false only for the bootstrap apply (deploy/README.md)."
  type        = bool
  default     = true
}

variable "offline" {
  description = "Plan without AWS credentials or network (deploy/check only)."
  type        = bool
  default     = false
}

locals {
  # Replace with the real account ID of the prod account; the provider refuses any other account.
  account_id = "333333333333"
  region     = "ap-northeast-1"
  tags = {
    Application = "assetstatus"
    Environment = "prod"
    ManagedBy   = "terraform"
    Repository  = "example-bank/assetstatus"
  }
}

provider "aws" {
  region                      = local.region
  allowed_account_ids         = var.offline ? null : [local.account_id]
  skip_credentials_validation = var.offline
  skip_requesting_account_id  = var.offline
  skip_metadata_api_check     = var.offline ? "true" : null
  skip_region_validation      = var.offline
  default_tags {
    tags = local.tags
  }
}

# CloudFront certificates, its AWS WAF and the edge logs live in us-east-1.
provider "aws" {
  alias                       = "us_east_1"
  region                      = "us-east-1"
  allowed_account_ids         = var.offline ? null : [local.account_id]
  skip_credentials_validation = var.offline
  skip_requesting_account_id  = var.offline
  skip_metadata_api_check     = var.offline ? "true" : null
  skip_region_validation      = var.offline
  default_tags {
    tags = local.tags
  }
}

# Remote copies of backups and documents (X2).
provider "aws" {
  alias                       = "dr"
  region                      = "ap-northeast-3"
  allowed_account_ids         = var.offline ? null : [local.account_id]
  skip_credentials_validation = var.offline
  skip_requesting_account_id  = var.offline
  skip_metadata_api_check     = var.offline ? "true" : null
  skip_region_validation      = var.offline
  default_tags {
    tags = local.tags
  }
}

module "stack" {
  source = "../../stack"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
    aws.dr        = aws.dr
  }

  environment = "prod"
  account_id  = local.account_id
  region      = local.region
  dr_region   = "ap-northeast-3"
  azs         = ["ap-northeast-1a", "ap-northeast-1c"]
  vpc_cidr    = "10.30.0.0/16"

  domain               = "example-assetstatus.jp"
  mail_domain          = "example-assetstatus.jp"
  mail_from            = "Example Bank Asset Status <no-reply@example-assetstatus.jp>"
  dmarc_report_address = "dmarc-reports@example-bank.co.jp"

  # Company networks over the site-to-site VPN (placeholders from the documentation ranges).
  company_cidrs              = ["172.16.10.0/24", "172.16.20.0/24"]
  company_vpn_peer_ip        = "203.0.113.10"
  staff_dns_inbound_resolver = true

  # com.amazonaws.global.cloudfront.origin-facing in ap-northeast-1; look it up with
  # aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing
  cloudfront_origin_prefix_list_id = "pl-58a04531"

  # Internet destinations the application may reach (O8). Placeholder for the first outbound
  # integration; add a name here only with a reviewed change.
  egress_allowed_domains = ["api.partner.example.jp"]
  firewall_az_count      = 2

  admin_emails       = ["sysadmin@example-bank.co.jp"]
  operator_emails    = ["assetstatus-business@example-bank.co.jp"]
  monthly_budget_usd = 2000

  db_instance_class = "db.t4g.medium"
  db_multi_az       = true

  # Task sizes from measured peaks (docs/performance.md, "Memory under load"): a process with
  # every role peaked at about 100 MiB through the 1,000-customer journey on SQLite and about
  # 80 MiB per process on PostgreSQL, argon2's 19 MiB per core included. Cleaning identity
  # documents adds at most about 305 MiB while uploads arrive (two images decoding within their
  # 40 MB budget, four waiting). Public: 512 MiB (test, staging) holds that worst case with about
  # 100 MiB to spare, 1,024 MiB (prod) 2.5 times it. Staff and worker: 512 MiB is Fargate's
  # least for 0.25 vCPU; the consoles stay under 100 MiB and a backup or restore of 1,000
  # customers peaked at 139 MiB.
  services = {
    public = {
      roles         = ["gateway", "portal", "identity"]
      load_balancer = "public"
      documents     = "read-write"
      cpu           = 512
      memory        = 1024
      min_tasks     = 2
      max_tasks     = 10
    }
    staff = {
      roles         = ["gateway", "backoffice", "ops"]
      load_balancer = "staff"
      documents     = "read"
      cpu           = 256
      memory        = 512
      min_tasks     = 2
      max_tasks     = 4
    }
    worker = {
      roles     = ["worker"]
      documents = "read" # the nightly application backup reads every document (sealed); the probe lists
      cpu       = 256
      memory    = 512
      min_tasks = 2
      max_tasks = 4
    }
  }

  image_digest                = var.image_digest
  migrate_image_digest        = coalesce(var.migrate_image_digest, var.image_digest)
  otel_collector_image_digest = var.otel_collector_image_digest
  wait_for_services           = var.wait_for_services

  # The next environment's pipeline pulls the tested image from this registry (promotion by digest).
  promotion_pullers = []

  github_repository  = "example-bank/assetstatus"
  github_environment = "production"

  protect               = true
  lock_mode             = "COMPLIANCE"
  backup_retention_days = 35
}

output "stack" {
  description = "Addresses and names the pipeline and the runbooks need."
  value = {
    public_base_url = module.stack.public_base_url
    staff_url       = module.stack.staff_url
    repository_url  = module.stack.repository_url
    image           = module.stack.image
    otel_collector  = module.stack.otel_collector_image
    cluster_name    = module.stack.cluster_name
    service_names   = module.stack.service_names
    migrate_task    = module.stack.migrate_task
    deploy_role_arn = module.stack.deploy_role_arn
    name_servers    = module.stack.name_servers
    nat_public_ips  = module.stack.nat_public_ips
    dashboard_name  = module.stack.dashboard_name
  }
}
