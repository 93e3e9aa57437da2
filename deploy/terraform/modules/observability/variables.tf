variable "name" {
  description = "Name prefix for every resource, e.g. \"assetstatus-prod\"."
  type        = string
}

variable "region" {
  description = "Primary AWS region (dashboard widgets)."
  type        = string
}

variable "account_id" {
  description = "AWS account ID of the environment."
  type        = string
}

variable "admin_emails" {
  description = "System administrators: failure and edge alarms (A2)."
  type        = list(string)
}

variable "operator_emails" {
  description = "Business operators: cloud cost notifications (B2)."
  type        = list(string)
}

variable "logs_key_arn" {
  description = "Customer-managed KMS key for the SNS topics in the primary region."
  type        = string
}

variable "edge_logs_key_arn" {
  description = "Customer-managed KMS key in us-east-1 for the edge alarm topic."
  type        = string
}

variable "monthly_budget_usd" {
  description = "Monthly AWS cost above which business operators are told (B2)."
  type        = number
}

variable "cluster_name" {
  description = "ECS cluster name."
  type        = string
}

variable "service_names" {
  description = "ECS service names by key."
  type        = map(string)
}

variable "service_min_tasks" {
  description = "Lower bound of running tasks per service; fewer running tasks raise an alarm."
  type        = map(number)
}

variable "service_log_groups" {
  description = "Log groups of the services by key; ERROR lines are counted from them."
  type        = map(string)
}

variable "load_balancers" {
  description = "Load balancers by name (public, staff) with their ARN suffix."
  type        = map(object({ arn_suffix = string }))
}

variable "target_groups" {
  description = "Target groups by service: ARN suffix and the load balancer it belongs to."
  type        = map(object({ arn_suffix = string, load_balancer = string }))
}

variable "db_instance_id" {
  description = "RDS instance identifier."
  type        = string
}

variable "distribution_id" {
  description = "CloudFront distribution ID."
  type        = string
}

variable "web_acl_name" {
  description = "AWS WAF web ACL name."
  type        = string
}

variable "health_check_fqdn" {
  description = "Public host name probed from the internet every 30 seconds, through CloudFront, like a customer."
  type        = string
}

variable "slow_response_seconds" {
  description = "p95 response time above which the administrators are told of slow responses (A2)."
  type        = number
  default     = 1.5
}

variable "blocked_requests_alarm" {
  description = "Requests blocked by AWS WAF in 5 minutes that count as a possible attack (A3)."
  type        = number
  default     = 500
}
