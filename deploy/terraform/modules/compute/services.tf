# ECS on Fargate: no servers to patch (O4), one image for every role, one service per role group.
# Every service keeps at least two tasks spread over both zones (O6), scales on CPU and request
# count (O10), rolls out with the new tasks healthy before the old ones stop, and rolls back by
# itself when the new tasks do not become healthy (deployment circuit breaker, X3).
# Tasks run as a non-root user on a read-only root file system without Linux capabilities.

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  configuration {
    managed_storage_configuration {
      fargate_ephemeral_storage_kms_key_id = var.data_key_arn
    }
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]
  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

resource "aws_cloudwatch_log_group" "service" {
  for_each          = merge(var.services, { migrate = null })
  name              = "/assetstatus/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_key_arn
}

# --- security groups of the tasks ---------------------------------------------------------------

resource "aws_security_group" "task" {
  for_each    = merge(var.services, { migrate = null })
  name        = "${var.name}-${each.key}-tasks"
  description = "${each.key} tasks"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name}-${each.key}-tasks" }
}

resource "aws_vpc_security_group_ingress_rule" "task_from_lb" {
  for_each                     = local.lb_services
  security_group_id            = aws_security_group.task[each.key].id
  description                  = "From the ${each.value.load_balancer} load balancer"
  ip_protocol                  = "tcp"
  from_port                    = local.lb_port[each.value.load_balancer]
  to_port                      = local.lb_port[each.value.load_balancer]
  referenced_security_group_id = local.lb_security_group[each.value.load_balancer]
}

locals {
  # Egress of every task: AWS services through VPC endpoints, S3 through the gateway endpoint,
  # the database, and (optionally) allow-listed internet domains through the Network Firewall.
  task_egress = merge(
    {
      endpoints-https = { port = 443, cidr = var.vpc_cidr, prefix_list = null, sg = null, what = "AWS service endpoints in the VPC" }
      endpoints-smtp  = { port = 587, cidr = var.vpc_cidr, prefix_list = null, sg = null, what = "SES SMTP endpoint in the VPC" }
      s3              = { port = 443, cidr = null, prefix_list = var.s3_prefix_list_id, sg = null, what = "S3 gateway endpoint" }
      postgres        = { port = 5432, cidr = null, prefix_list = null, sg = var.db_security_group_id, what = "PostgreSQL" }
    },
    var.allow_internet_egress ? {
      internet-https = { port = 443, cidr = "0.0.0.0/0", prefix_list = null, sg = null, what = "Allow-listed internet domains, filtered by the Network Firewall" }
    } : {},
  )
  task_egress_rules = merge([
    for svc in keys(aws_security_group.task) : {
      for rule, r in local.task_egress : "${svc}/${rule}" => merge(r, { service = svc })
    }
  ]...)
}

resource "aws_vpc_security_group_egress_rule" "task" {
  for_each                     = local.task_egress_rules
  security_group_id            = aws_security_group.task[each.value.service].id
  description                  = each.value.what
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  cidr_ipv4                    = each.value.cidr
  prefix_list_id               = each.value.prefix_list
  referenced_security_group_id = each.value.sg
}

# --- task definitions ---------------------------------------------------------------------------

locals {
  # Built from names rather than resource attributes so the whole container definition is known
  # at plan time and can be checked (deploy/tests/test_plan.py).
  registry      = "${var.account_id}.dkr.ecr.${var.region}.amazonaws.com"
  repository    = "${local.registry}/${aws_ecr_repository.this["app"].name}"
  image         = "${local.repository}@${var.image_digest}"
  migrate_image = "${local.repository}@${var.migrate_image_digest}"
  # Partial secret ARNs (without the random suffix Secrets Manager appends). They identify the
  # secret as long as its name does not end in a hyphen and six characters.
  secret_ref = { for k, n in var.secret_names : k => "arn:aws:secretsmanager:${var.region}:${var.account_id}:secret:${n}" }
  # The alert webhook's URL is its credential; the services receive it only when the data module
  # created its secret (alert_webhook in the stack).
  webhook_secret = contains(keys(var.secret_names), "alert-webhook-url") ? [
    { name = "ASSETSTATUS_OPS__ALERT_WEBHOOK_URL", valueFrom = local.secret_ref["alert-webhook-url"] },
  ] : []

  common_environment = [
    { name = "ASSETSTATUS_DATA_DIR", value = "/var/lib/assetstatus" },
    { name = "ASSETSTATUS_PUBLIC_ADDR", value = "0.0.0.0:8080" },
    { name = "ASSETSTATUS_STAFF_ADDR", value = "0.0.0.0:8081" },
    { name = "ASSETSTATUS_PUBLIC_BASE_URL", value = var.public_base_url },
    { name = "ASSETSTATUS_MAIL__FROM", value = var.mail_from },
    { name = "ASSETSTATUS_MASTER_KEY__PROVIDER", value = "kms" },
    { name = "ASSETSTATUS_MASTER_KEY__KMS_KEY_ID", value = var.app_key_alias },
    # Identity documents: encrypted by the application, kept in the bucket (task role credentials).
    { name = "ASSETSTATUS_DOCUMENTS__STORE", value = "s3" },
    { name = "ASSETSTATUS_DOCUMENTS__S3_BUCKET", value = var.documents_bucket_name },
    { name = "ASSETSTATUS_DOCUMENTS__S3_REGION", value = var.region },
    { name = "ASSETSTATUS_DOCUMENTS__S3_PREFIX", value = "documents" },
    # Business operators' mailboxes, told of each new application (B3).
    { name = "ASSETSTATUS_APPLICATIONS__OPERATOR_ADDRESSES", value = jsonencode(var.operator_emails) },
    { name = "ASSETSTATUS_APPLICATIONS__MAKER_CHECKER", value = "true" },
    # System administrators' mailboxes, told of every application alert and its recovery (A2, A3).
    { name = "ASSETSTATUS_OPS__ALERT_MAIL_TO", value = jsonencode(var.alert_emails) },
    # Only the load balancers' X-Forwarded-For is believed (they sit in the VPC).
    { name = "ASSETSTATUS_EDGE__TRUSTED_PROXIES", value = "[${var.vpc_cidr}]" },
    # Company networks; the VPC for the load balancer's health checks (requests through it carry
    # the real client in X-Forwarded-For); loopback for the container's own health check.
    { name = "ASSETSTATUS_EDGE__STAFF_ALLOW", value = "[${join(", ", concat(var.staff_allowed_cidrs, [var.vpc_cidr, "127.0.0.1/32"]))}]" },
    { name = "AWS_REGION", value = var.region },
  ]

  # The application's nightly backups (crates/backup), for the services that run the worker role
  # only: to the bucket in the DR region, none on the task's disk (it is gone with the task).
  # Credentials come from the task role. Virtual-hosted-style requests (read by the S3 client from
  # AWS_* variables) put the bucket's own host name in the TLS SNI, so the Network Firewall's
  # allow-list can name this one bucket instead of all of s3.<region>.amazonaws.com. The worker's
  # document reads use them too; they still go through the S3 gateway endpoint.
  backup_environment = [
    { name = "ASSETSTATUS_BACKUP__LOCAL", value = "false" },
    { name = "ASSETSTATUS_BACKUP__S3__BUCKET", value = var.application_backups.bucket },
    { name = "ASSETSTATUS_BACKUP__S3__REGION", value = var.application_backups.region },
    { name = "ASSETSTATUS_BACKUP__S3__PREFIX", value = var.application_backups.prefix },
    { name = "AWS_VIRTUAL_HOSTED_STYLE_REQUEST", value = "true" },
  ]

  # awslogs options of each task's containers by log group (every service, and migrate): the
  # application and the traces collector of a service write to the same group, in streams
  # <service>/<container>/<task>.
  awslogs = { for k, g in aws_cloudwatch_log_group.service : k => {
    awslogs-group         = g.name
    awslogs-region        = var.region
    awslogs-stream-prefix = k
  } }

  # Traces (docs/architecture.md, "Distributed traces"), on when otel_collector_image_digest is set
  # and off (no sidecar, no OTLP endpoint, no X-Ray permission, no cache) when it is null: the
  # application posts its spans over OTLP/HTTP to a collector sidecar in the same task (the task's
  # containers share 127.0.0.1), the AWS Distro for OpenTelemetry collector, which batches them and
  # sends them to X-Ray through the VPC endpoint with the task role. The sidecar is not essential:
  # when it stops, ECS leaves the application running and only its traces are lost. Only the
  # services get it; the migrate task serves no request and exports nothing. Without the sidecar
  # the application is told no endpoint and exports nothing either.
  traces               = var.otel_collector_image_digest != null
  otlp_port            = 4318
  otlp_endpoint        = "http://127.0.0.1:${local.otlp_port}"
  otel_collector_image = local.traces ? "${local.registry}/${aws_ecr_repository.this["otel_collector"].name}@${var.otel_collector_image_digest}" : null
  # The collector's configuration, given in AOT_CONFIG_CONTENT (JSON is YAML to the collector).
  # Listens on the loopback only; no debug or logging exporter, so no span (nor its attributes)
  # is written to the logs; X-Ray keeps span attributes as metadata, none is indexed.
  otel_collector_config = jsonencode({
    receivers = {
      otlp = { protocols = { http = { endpoint = "127.0.0.1:${local.otlp_port}" } } }
    }
    processors = {
      # Drops spans rather than outgrow the container's memory (the hard limit below).
      memory_limiter = { check_interval = "1s", limit_mib = 100, spike_limit_mib = 20 }
      batch          = {}
    }
    exporters = {
      awsxray = { region = var.region, index_all_attributes = false }
    }
    service = {
      # Warnings and errors only; no metrics listener of its own.
      telemetry = { logs = { level = "warn" }, metrics = { level = "none" } }
      pipelines = {
        traces = { receivers = ["otlp"], processors = ["memory_limiter", "batch"], exporters = ["awsxray"] }
      }
    }
  })
  otel_collector_container = {
    name      = "otel-collector"
    image     = local.otel_collector_image
    essential = false
    # 64 MiB reserved, 128 MiB at most: the application keeps the rest of the task's memory
    # (384 MiB of 512 at least, even if the collector grows to its limit).
    memoryReservation      = 64
    memory                 = 128
    user                   = "10001:10001"
    readonlyRootFilesystem = true
    privileged             = false
    linuxParameters = {
      capabilities = { drop = ["ALL"] }
    }
    environment = [{ name = "AOT_CONFIG_CONTENT", value = local.otel_collector_config }]
    stopTimeout = 10
  }

  container_defaults = {
    name                   = "app"
    essential              = true
    user                   = "65532:65532"
    readonlyRootFilesystem = true
    privileged             = false
    linuxParameters = {
      initProcessEnabled = true
      capabilities       = { drop = ["ALL"] }
    }
    mountPoints = [
      { sourceVolume = "data", containerPath = "/var/lib/assetstatus", readOnly = false },
      { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
    ]
    healthCheck = {
      # The staff listener is bound by every role group; the public one only by portal/identity.
      command     = ["CMD", "/usr/local/bin/assetstatus", "healthcheck", "--url", "http://127.0.0.1:8081/healthz"]
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }
    stopTimeout = 30
    ulimits     = [{ name = "nofile", softLimit = 65536, hardLimit = 65536 }]
  }
}

resource "aws_ecs_task_definition" "service" {
  for_each                 = var.services
  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task[each.key].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "data"
  }
  volume {
    name = "tmp"
  }

  # The application first (the load balancer and deploy/ci name it "app"), then, when traces are
  # on, the traces collector, which logs to the same group. The application starts once the
  # collector has started (not waiting for any health) and so stops before it, which lets its last
  # spans out.
  container_definitions = jsonencode(concat([merge(local.container_defaults, {
    image        = local.image
    command      = ["serve", "--roles", join(",", each.value.roles)]
    dependsOn    = local.traces ? [{ containerName = local.otel_collector_container.name, condition = "START" }] : null
    portMappings = [{ containerPort = 8080, protocol = "tcp" }, { containerPort = 8081, protocol = "tcp" }]
    environment = concat(
      local.common_environment,
      local.traces ? [{ name = "ASSETSTATUS_TELEMETRY__OTLP_ENDPOINT", value = local.otlp_endpoint }] : [],
      contains(local.backup_services, each.key) ? local.backup_environment : [],
    )
    secrets = concat([
      { name = "ASSETSTATUS_DATABASE_URL", valueFrom = local.secret_ref["database-url-app"] },
      { name = "ASSETSTATUS_MAIL__SMTP_URL", valueFrom = local.secret_ref["smtp-url"] },
    ], local.webhook_secret)
    logConfiguration = {
      logDriver = "awslogs"
      options   = merge(local.awslogs[each.key], { mode = "non-blocking", max-buffer-size = "25m" })
    }
    })], local.traces ? [merge(local.otel_collector_container, {
    logConfiguration = {
      logDriver = "awslogs"
      options   = merge(local.awslogs[each.key], { mode = "non-blocking", max-buffer-size = "1m" })
    }
  })] : []))
}

# One-off task the pipeline runs before every rollout: `assetstatus migrate` as the schema owner.
resource "aws_ecs_task_definition" "migrate" {
  family                   = "${var.name}-migrate"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task["migrate"].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "data"
  }
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([merge(local.container_defaults, {
    image       = local.migrate_image
    command     = ["migrate"]
    healthCheck = null
    environment = local.common_environment
    secrets = [
      { name = "ASSETSTATUS_DATABASE_URL", valueFrom = local.secret_ref["database-url-migrate"] },
    ]
    logConfiguration = {
      logDriver = "awslogs"
      options   = local.awslogs["migrate"]
    }
  })])
}

# --- services -----------------------------------------------------------------------------------

resource "aws_ecs_service" "this" {
  for_each                          = var.services
  name                              = each.key
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.service[each.key].arn
  desired_count                     = each.value.min_tasks
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  propagate_tags                    = "SERVICE"
  enable_ecs_managed_tags           = true
  enable_execute_command            = false
  availability_zone_rebalancing     = "ENABLED"
  health_check_grace_period_seconds = each.value.load_balancer == null ? null : 60
  wait_for_steady_state             = var.wait_for_steady_state

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.app_subnet_ids
    security_groups  = [aws_security_group.task[each.key].id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = each.value.load_balancer == null ? [] : [each.value.load_balancer]
    content {
      target_group_arn = aws_lb_target_group.this[each.key].arn
      container_name   = "app"
      container_port   = local.lb_port[load_balancer.value]
    }
  }

  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.https, aws_iam_role_policy.execution]
}

# --- auto scaling -------------------------------------------------------------------------------

resource "aws_appautoscaling_target" "this" {
  for_each           = var.services
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this[each.key].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = each.value.min_tasks
  max_capacity       = each.value.max_tasks
}

resource "aws_appautoscaling_policy" "cpu" {
  for_each           = var.services
  name               = "${var.name}-${each.key}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  for_each           = local.lb_services
  name               = "${var.name}-${each.key}-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.requests_per_task_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.this[each.value.load_balancer].arn_suffix}/${aws_lb_target_group.this[each.key].arn_suffix}"
    }
  }
}
