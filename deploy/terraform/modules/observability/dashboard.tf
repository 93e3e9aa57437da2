# Operating-status dashboard (A1): the customer view (CloudFront, WAF), the load balancers, the
# services, the database and recent error lines, on one page.

locals {
  lb_metric = { for lb, v in var.load_balancers : lb => v.arn_suffix }

  widgets = concat(
    [
      {
        type = "metric", width = 12, height = 6
        properties = {
          title  = "Customer requests and errors at the edge"
          region = "us-east-1"
          stat   = "Sum"
          period = 300
          metrics = [
            ["AWS/CloudFront", "Requests", "DistributionId", var.distribution_id, "Region", "Global"],
            ["AWS/CloudFront", "5xxErrorRate", "DistributionId", var.distribution_id, "Region", "Global", { stat = "Average", yAxis = "right" }],
          ]
        }
      },
      {
        type = "metric", width = 12, height = 6
        properties = {
          title  = "AWS WAF allowed and blocked requests"
          region = "us-east-1"
          stat   = "Sum"
          period = 300
          metrics = [
            ["AWS/WAFV2", "AllowedRequests", "WebACL", var.web_acl_name, "Rule", "ALL"],
            ["AWS/WAFV2", "BlockedRequests", "WebACL", var.web_acl_name, "Rule", "ALL"],
          ]
        }
      },
    ],
    [for lb, suffix in local.lb_metric : {
      type = "metric", width = 12, height = 6
      properties = {
        title  = "${lb} load balancer: requests, 5xx, p95 latency"
        region = var.region
        period = 60
        metrics = [
          ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", suffix, { stat = "Sum" }],
          ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", suffix, { stat = "Sum" }],
          ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", suffix, { stat = "p95", yAxis = "right" }],
        ]
      }
    }],
    [{
      type = "metric", width = 12, height = 6
      properties = {
        title  = "Services: CPU and memory"
        region = var.region
        stat   = "Average"
        period = 60
        metrics = flatten([for svc, name in var.service_names : [
          ["AWS/ECS", "CPUUtilization", "ClusterName", var.cluster_name, "ServiceName", name],
          ["AWS/ECS", "MemoryUtilization", "ClusterName", var.cluster_name, "ServiceName", name],
        ]])
      }
    }],
    [{
      type = "metric", width = 12, height = 6
      properties = {
        title   = "Services: running tasks"
        region  = var.region
        stat    = "Minimum"
        period  = 60
        metrics = [for svc, name in var.service_names : ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", var.cluster_name, "ServiceName", name]]
      }
    }],
    [{
      type = "metric", width = 12, height = 6
      properties = {
        title  = "Database"
        region = var.region
        period = 60
        metrics = [
          ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", var.db_instance_id, { stat = "Average" }],
          ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", var.db_instance_id, { stat = "Maximum" }],
          ["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", var.db_instance_id, { stat = "Minimum", yAxis = "right" }],
        ]
      }
    }],
    [{
      type = "log", width = 24, height = 6
      properties = {
        title  = "Latest ERROR lines"
        region = var.region
        view   = "table"
        query  = "SOURCE ${join(" | SOURCE ", [for g in values(var.service_log_groups) : "'${g}'"])} | filter level = 'ERROR' | sort @timestamp desc | limit 50"
      }
    }],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
