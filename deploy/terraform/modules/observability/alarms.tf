# Alarms (A2): what customers feel first (errors, slow responses, the site unreachable from the
# internet), then the parts that can stop it (tasks, database). Every alarm also notifies when it
# clears, so administrators know the incident is over.

locals {
  ops_actions = [aws_sns_topic.ops.arn]

  lb_alarms = merge([
    for lb, v in var.load_balancers : {
      "${lb}-5xx" = {
        description = "${lb} load balancer: more than 10 server errors in 5 minutes"
        metric      = "HTTPCode_Target_5XX_Count"
        namespace   = "AWS/ApplicationELB"
        statistic   = "Sum"
        extended    = null
        threshold   = 10
        dimensions  = { LoadBalancer = v.arn_suffix }
      }
      "${lb}-lb-5xx" = {
        description = "${lb} load balancer: it answered 5xx itself (no healthy target) more than 5 times in 5 minutes"
        metric      = "HTTPCode_ELB_5XX_Count"
        namespace   = "AWS/ApplicationELB"
        statistic   = "Sum"
        extended    = null
        threshold   = 5
        dimensions  = { LoadBalancer = v.arn_suffix }
      }
      "${lb}-slow" = {
        description = "${lb} load balancer: p95 response time above ${var.slow_response_seconds} s"
        metric      = "TargetResponseTime"
        namespace   = "AWS/ApplicationELB"
        statistic   = null
        extended    = "p95"
        threshold   = var.slow_response_seconds
        dimensions  = { LoadBalancer = v.arn_suffix }
      }
    }
  ]...)

  tg_alarms = {
    for svc, tg in var.target_groups : "${svc}-unhealthy" => {
      description = "${svc}: a task failed its load balancer health check"
      metric      = "UnHealthyHostCount"
      namespace   = "AWS/ApplicationELB"
      statistic   = "Maximum"
      extended    = null
      threshold   = 1
      dimensions  = { LoadBalancer = var.load_balancers[tg.load_balancer].arn_suffix, TargetGroup = tg.arn_suffix }
    }
  }

  service_alarms = merge([
    for svc, name in var.service_names : {
      "${svc}-cpu" = {
        description = "${svc}: CPU above 85 % although auto scaling should have added tasks"
        metric      = "CPUUtilization"
        namespace   = "AWS/ECS"
        statistic   = "Average"
        extended    = null
        threshold   = 85
        dimensions  = { ClusterName = var.cluster_name, ServiceName = name }
      }
      "${svc}-memory" = {
        description = "${svc}: memory above 85 %"
        metric      = "MemoryUtilization"
        namespace   = "AWS/ECS"
        statistic   = "Average"
        extended    = null
        threshold   = 85
        dimensions  = { ClusterName = var.cluster_name, ServiceName = name }
      }
      "${svc}-errors" = {
        description = "${svc}: more than 20 ERROR log lines in 5 minutes"
        metric      = "${svc}-error-lines"
        namespace   = "AssetStatus/${var.name}"
        statistic   = "Sum"
        extended    = null
        threshold   = 20
        dimensions  = {}
      }
    }
  ]...)

  db_alarms = {
    db-cpu = {
      description = "Database CPU above 80 %"
      metric      = "CPUUtilization"
      namespace   = "AWS/RDS"
      statistic   = "Average"
      extended    = null
      threshold   = 80
      dimensions  = { DBInstanceIdentifier = var.db_instance_id }
    }
    db-connections = {
      description = "More than 150 database connections"
      metric      = "DatabaseConnections"
      namespace   = "AWS/RDS"
      statistic   = "Maximum"
      extended    = null
      threshold   = 150
      dimensions  = { DBInstanceIdentifier = var.db_instance_id }
    }
  }

  greater_than_alarms = merge(local.lb_alarms, local.tg_alarms, local.service_alarms, local.db_alarms)
}

resource "aws_cloudwatch_log_metric_filter" "errors" {
  for_each       = var.service_log_groups
  name           = "${var.name}-${each.key}-errors"
  log_group_name = each.value
  pattern        = "{ $.level = \"ERROR\" }"
  metric_transformation {
    name          = "${each.key}-error-lines"
    namespace     = "AssetStatus/${var.name}"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "above" {
  for_each            = local.greater_than_alarms
  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.ops_actions
  ok_actions          = local.ops_actions
  depends_on          = [aws_cloudwatch_log_metric_filter.errors]
}

# Fewer running tasks than the minimum: a zone or a deployment is in trouble (O6).
resource "aws_cloudwatch_metric_alarm" "running_tasks" {
  for_each            = var.service_names
  alarm_name          = "${var.name}-${each.key}-running-tasks"
  alarm_description   = "${each.key}: fewer than ${var.service_min_tasks[each.key]} tasks running"
  namespace           = "ECS/ContainerInsights"
  metric_name         = "RunningTaskCount"
  dimensions          = { ClusterName = var.cluster_name, ServiceName = each.value }
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = var.service_min_tasks[each.key]
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.ops_actions
  ok_actions          = local.ops_actions
}

resource "aws_cloudwatch_metric_alarm" "db_free_storage" {
  alarm_name          = "${var.name}-db-free-storage"
  alarm_description   = "Less than 5 GB free database storage (autoscaling may have reached its limit)"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = var.db_instance_id }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 2
  threshold           = 5 * 1024 * 1024 * 1024
  comparison_operator = "LessThanThreshold"
  alarm_actions       = local.ops_actions
  ok_actions          = local.ops_actions
}

# --- us-east-1: what the customers see from the internet ----------------------------------------

resource "aws_route53_health_check" "public" {
  fqdn              = var.health_check_fqdn
  port              = 443
  type              = "HTTPS"
  resource_path     = "/readyz"
  request_interval  = 30
  failure_threshold = 3
  measure_latency   = true
  regions           = ["ap-northeast-1", "ap-southeast-1", "us-west-2"]
  tags              = { Name = "${var.name}-public" }
}

resource "aws_cloudwatch_metric_alarm" "public_health" {
  provider            = aws.us_east_1
  alarm_name          = "${var.name}-public-unreachable"
  alarm_description   = "https://${var.health_check_fqdn}/readyz fails from the internet"
  namespace           = "AWS/Route53"
  metric_name         = "HealthCheckStatus"
  dimensions          = { HealthCheckId = aws_route53_health_check.public.id }
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.edge.arn]
  ok_actions          = [aws_sns_topic.edge.arn]
}

resource "aws_cloudwatch_metric_alarm" "cdn_5xx" {
  provider            = aws.us_east_1
  alarm_name          = "${var.name}-cdn-5xx-rate"
  alarm_description   = "More than 5 % of customer requests end in a 5xx at CloudFront"
  namespace           = "AWS/CloudFront"
  metric_name         = "5xxErrorRate"
  dimensions          = { DistributionId = var.distribution_id, Region = "Global" }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = 5
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.edge.arn]
  ok_actions          = [aws_sns_topic.edge.arn]
}

# A burst of blocked requests is the usual first sign of an attack (A3).
resource "aws_cloudwatch_metric_alarm" "waf_blocked" {
  provider            = aws.us_east_1
  alarm_name          = "${var.name}-waf-blocked-spike"
  alarm_description   = "AWS WAF blocked more than ${var.blocked_requests_alarm} requests in 5 minutes: possible attack"
  namespace           = "AWS/WAFV2"
  metric_name         = "BlockedRequests"
  dimensions          = { WebACL = var.web_acl_name, Rule = "ALL" }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.blocked_requests_alarm
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.edge.arn]
  ok_actions          = [aws_sns_topic.edge.arn]
}
