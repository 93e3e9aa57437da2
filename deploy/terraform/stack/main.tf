# One environment of assetstatus on AWS, composed from the modules by concern. The environments
# (envs/test, envs/staging, envs/prod) call this with different sizes only, so what is tested is
# what runs in production. Diagrams and reasons: docs/architecture.md.

locals {
  name = "assetstatus-${var.environment}"
  # The worker writes the application's backups to a bucket in the DR region. S3 gateway endpoints
  # serve their own region only, so that traffic leaves through the Network Firewall, whose
  # allow-list names this one bucket's host (virtual-hosted style, see modules/compute).
  application_backup_host = "${module.backup.application_backup_bucket_name}.s3.${var.dr_region}.amazonaws.com"
  egress_allowed_domains  = concat(var.egress_allowed_domains, [local.application_backup_host])
}

module "security" {
  source               = "../modules/security"
  name                 = local.name
  region               = var.region
  account_id           = var.account_id
  ecs_cluster_name     = local.name
  documents_bucket_arn = module.data.documents_bucket_arn
  admin_emails         = var.admin_emails
  log_retention_days   = var.log_retention_days
  audit_log_lock_mode  = var.lock_mode
  # CloudTrail records object reads, writes and deletes on the application's backups as well.
  application_backup_bucket_arn = module.backup.application_backup_bucket_arn
}

module "network" {
  source                  = "../modules/network"
  name                    = local.name
  region                  = var.region
  account_id              = var.account_id
  cidr_block              = var.vpc_cidr
  azs                     = var.azs
  firewall_az_count       = var.firewall_az_count
  egress_allowed_domains  = local.egress_allowed_domains
  protect                 = var.protect
  kms_key_arn             = module.security.logs_key_arn
  log_retention_days      = var.log_retention_days
  company_cidrs           = var.company_cidrs
  company_vpn_peer_ip     = var.company_vpn_peer_ip
  enable_network_firewall = true
  # The X-Ray endpoint serves the traces collector sidecars only: created while traces are on.
  xray_endpoint = var.otel_collector_image_digest != null
}

module "edge" {
  source = "../modules/edge"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }
  name                       = local.name
  account_id                 = var.account_id
  domain                     = var.domain
  vpc_id                     = module.network.vpc_id
  app_subnet_ids             = module.network.app_subnet_ids
  company_cidrs              = var.company_cidrs
  staff_dns_inbound_resolver = var.staff_dns_inbound_resolver
  public_load_balancer = {
    arn      = module.compute.load_balancers["public"].arn
    dns_name = module.compute.load_balancers["public"].dns_name
  }
  staff_load_balancer = {
    dns_name = module.compute.load_balancers["staff"].dns_name
    zone_id  = module.compute.load_balancers["staff"].zone_id
  }
  log_retention_days = var.log_retention_days
}

module "compute" {
  source                           = "../modules/compute"
  name                             = local.name
  region                           = var.region
  account_id                       = var.account_id
  vpc_id                           = module.network.vpc_id
  vpc_cidr                         = module.network.vpc_cidr
  app_subnet_ids                   = module.network.app_subnet_ids
  s3_prefix_list_id                = module.network.s3_prefix_list_id
  allow_internet_egress            = length(local.egress_allowed_domains) > 0
  db_security_group_id             = module.data.db_security_group_id
  data_key_arn                     = module.security.data_key_arn
  logs_key_arn                     = module.security.logs_key_arn
  app_key_arn                      = module.security.app_key_arn
  app_key_alias                    = module.security.app_key_alias
  secret_arns                      = module.data.secret_arns
  secret_names                     = module.data.secret_names
  documents_bucket_name            = module.data.documents_bucket_name
  operator_emails                  = var.operator_emails
  alert_emails                     = var.admin_emails
  public_certificate_arn           = module.edge.origin_certificate_arn
  staff_certificate_arn            = module.edge.staff_certificate_arn
  cloudfront_origin_prefix_list_id = var.cloudfront_origin_prefix_list_id
  staff_allowed_cidrs              = var.company_cidrs
  public_base_url                  = module.edge.public_base_url
  mail_from                        = var.mail_from
  image_digest                     = var.image_digest
  migrate_image_digest             = var.migrate_image_digest
  otel_collector_image_digest      = var.otel_collector_image_digest
  services                         = var.services
  promotion_pullers                = var.promotion_pullers
  deletion_protection              = var.protect
  log_retention_days               = var.log_retention_days
  wait_for_steady_state            = var.wait_for_services
  # The application's own backups (worker service only): bucket, region and key in the DR region.
  application_backups = {
    bucket      = module.backup.application_backup_bucket_name
    region      = module.backup.application_backup_region
    prefix      = module.backup.application_backup_prefix
    kms_key_arn = module.backup.application_backup_key_arn
  }
}

module "data" {
  source                    = "../modules/data"
  name                      = local.name
  region                    = var.region
  account_id                = var.account_id
  vpc_id                    = module.network.vpc_id
  data_subnet_ids           = module.network.data_subnet_ids
  client_security_group_ids = module.compute.task_security_group_ids
  kms_key_arn               = module.security.data_key_arn
  logs_kms_key_arn          = module.security.logs_key_arn
  log_retention_days        = var.log_retention_days
  db_instance_class         = var.db_instance_class
  db_multi_az               = var.db_multi_az
  deletion_protection       = var.protect
  alert_webhook             = var.alert_webhook
  # Roles that read or write objects. A "list" role (a document-store probe alone) would not be
  # named: the bucket policy restricts object actions only, and listing needs no exception.
  document_access_role_arns = concat(
    [for k, s in var.services : module.compute.task_role_arns[k] if contains(["read-write", "read"], s.documents)],
    [module.backup.backup_role_arn, module.backup.replication_role_arn],
  )
  document_noncurrent_days = var.backup_retention_days
  zone_id                  = module.edge.zone_id
  mail_domain              = var.mail_domain
  dmarc_report_address     = var.dmarc_report_address
}

module "observability" {
  source = "../modules/observability"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }
  name               = local.name
  region             = var.region
  account_id         = var.account_id
  admin_emails       = var.admin_emails
  operator_emails    = var.operator_emails
  logs_key_arn       = module.security.logs_key_arn
  edge_logs_key_arn  = module.edge.edge_logs_key_arn
  monthly_budget_usd = var.monthly_budget_usd
  cluster_name       = module.compute.cluster_name
  service_names      = module.compute.service_names
  service_min_tasks  = { for k, s in var.services : k => s.min_tasks }
  service_log_groups = { for k, _ in var.services : k => module.compute.log_group_names[k] }
  load_balancers     = { for k, lb in module.compute.load_balancers : k => { arn_suffix = lb.arn_suffix } }
  target_groups = {
    for k, s in var.services : k => {
      arn_suffix    = module.compute.target_group_arn_suffixes[k]
      load_balancer = s.load_balancer
    } if s.load_balancer != null
  }
  db_instance_id    = module.data.db_instance_id
  distribution_id   = module.edge.distribution_id
  web_acl_name      = module.edge.web_acl_name
  health_check_fqdn = "www.${var.domain}"
}

module "backup" {
  source = "../modules/backup"
  providers = {
    aws    = aws
    aws.dr = aws.dr
  }
  name                 = local.name
  account_id           = var.account_id
  region               = var.region
  dr_region            = var.dr_region
  db_instance_arn      = module.data.db_instance_arn
  db_subnet_group_name = local.name
  db_security_group_id = module.data.db_security_group_id
  documents_bucket = {
    name = module.data.documents_bucket_name
    arn  = module.data.documents_bucket_arn
  }
  data_key_arn      = module.security.data_key_arn
  app_key_arn       = module.security.app_key_arn
  app_key_alias     = module.security.app_key_alias
  ops_topic_arn     = module.observability.ops_topic_arn
  retention_days    = var.backup_retention_days
  dr_retention_days = var.backup_retention_days
  vault_lock_mode   = var.lock_mode
  # The application's own backups: only the worker's task role may reach them.
  application_backup_writer_role_arns = module.compute.backup_writer_role_arns
}

module "delivery" {
  source             = "../modules/delivery"
  name               = local.name
  account_id         = var.account_id
  github_repository  = var.github_repository
  github_environment = var.github_environment
}
