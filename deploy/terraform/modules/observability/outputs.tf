output "ops_topic_arn" {
  description = "SNS topic for failure notifications to administrators."
  value       = aws_sns_topic.ops.arn
}

output "billing_topic_arn" {
  description = "SNS topic for cost notifications to business operators."
  value       = aws_sns_topic.billing.arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the operating status."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}
