# Applies the network, data and backup modules to a local moto_server (deploy/check starts it),
# then deploy/check re-plans (expecting no changes) and destroys. Proves the modules create,
# converge and tear down, without an AWS account. `mock = true` and enable_network_firewall = false
# leave out exactly what moto cannot emulate: Network Firewall, SES identities, backup selections,
# restore testing, vault lock and KMS replica keys.

terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "endpoint" {
  description = "URL of the moto_server, e.g. http://127.0.0.1:5000."
  type        = string
}

locals {
  account_id = "123456789012" # moto's default account
}

provider "aws" {
  region                      = "ap-northeast-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = "true"
  s3_use_path_style           = true
  endpoints {
    backup         = var.endpoint
    cloudwatch     = var.endpoint
    ec2            = var.endpoint
    events         = var.endpoint
    iam            = var.endpoint
    kms            = var.endpoint
    logs           = var.endpoint
    rds            = var.endpoint
    route53        = var.endpoint
    s3             = var.endpoint
    secretsmanager = var.endpoint
    sesv2          = var.endpoint
    sns            = var.endpoint
    sts            = var.endpoint
  }
}

provider "aws" {
  alias                       = "dr"
  region                      = "ap-northeast-3"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = "true"
  s3_use_path_style           = true
  endpoints {
    backup         = var.endpoint
    cloudwatch     = var.endpoint
    ec2            = var.endpoint
    events         = var.endpoint
    iam            = var.endpoint
    kms            = var.endpoint
    logs           = var.endpoint
    rds            = var.endpoint
    route53        = var.endpoint
    s3             = var.endpoint
    secretsmanager = var.endpoint
    sesv2          = var.endpoint
    sns            = var.endpoint
    sts            = var.endpoint
  }
}

# What the security, compute, edge and observability modules would provide.
resource "aws_kms_key" "stand_in" {
  for_each            = toset(["data", "logs", "app"])
  description         = "moto stand-in ${each.key} key"
  enable_key_rotation = true
}

resource "aws_security_group" "tasks" {
  name        = "moto-tasks"
  description = "stand-in for the task security group"
  vpc_id      = module.network.vpc_id
}

resource "aws_route53_zone" "stand_in" {
  name = "moto.example-assetstatus.jp"
}

resource "aws_sns_topic" "ops" {
  name = "moto-ops-alerts"
}

module "network" {
  source                  = "../../terraform/modules/network"
  name                    = "assetstatus-moto"
  region                  = "ap-northeast-1"
  account_id              = local.account_id
  cidr_block              = "10.99.0.0/16"
  azs                     = ["ap-northeast-1a", "ap-northeast-1c"]
  firewall_az_count       = 2
  enable_network_firewall = false
  protect                 = false
  kms_key_arn             = aws_kms_key.stand_in["logs"].arn
}

module "data" {
  source                    = "../../terraform/modules/data"
  name                      = "assetstatus-moto"
  region                    = "ap-northeast-1"
  account_id                = local.account_id
  vpc_id                    = module.network.vpc_id
  data_subnet_ids           = module.network.data_subnet_ids
  client_security_group_ids = { tasks = aws_security_group.tasks.id }
  kms_key_arn               = aws_kms_key.stand_in["data"].arn
  logs_kms_key_arn          = aws_kms_key.stand_in["logs"].arn
  db_multi_az               = true
  deletion_protection       = false
  document_access_role_arns = ["arn:aws:iam::${local.account_id}:role/assetstatus-moto-*"]
  zone_id                   = aws_route53_zone.stand_in.zone_id
  mail_domain               = "moto.example-assetstatus.jp"
  dmarc_report_address      = "dmarc@example-bank.co.jp"
  mock                      = true
}

module "backup" {
  source = "../../terraform/modules/backup"
  providers = {
    aws    = aws
    aws.dr = aws.dr
  }
  name                 = "assetstatus-moto"
  account_id           = local.account_id
  region               = "ap-northeast-1"
  dr_region            = "ap-northeast-3"
  db_instance_arn      = module.data.db_instance_arn
  db_subnet_group_name = "assetstatus-moto"
  db_security_group_id = module.data.db_security_group_id
  documents_bucket = {
    name = module.data.documents_bucket_name
    arn  = module.data.documents_bucket_arn
  }
  data_key_arn   = aws_kms_key.stand_in["data"].arn
  app_key_arn    = aws_kms_key.stand_in["app"].arn
  app_key_alias  = "alias/assetstatus-moto-app"
  ops_topic_arn  = aws_sns_topic.ops.arn
  retention_days = 7
  mock           = true
  # What modules/compute would provide: the worker's task role, the only backup writer.
  application_backup_writer_role_arns = ["arn:aws:iam::${local.account_id}:role/assetstatus-moto-worker-task"]
}

output "summary" {
  description = "A few identifiers, to show the apply produced real objects."
  value = {
    vpc_id        = module.network.vpc_id
    db_endpoint   = module.data.db_endpoint
    primary_vault = module.backup.primary_vault_arn
    dr_bucket     = module.backup.dr_bucket_name
    app_backups   = module.backup.application_backup_bucket_name
  }
}
