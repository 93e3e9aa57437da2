output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "service_names" {
  description = "ECS service names by key."
  value       = { for k, s in aws_ecs_service.this : k => s.name }
}

output "task_role_arns" {
  description = "Task role ARNs by service (plus migrate)."
  value       = { for k, r in aws_iam_role.task : k => r.arn }
}

output "backup_writer_role_arns" {
  description = "Task roles of the services that run the worker role and write the application's backups. Built from the role names, so the backup bucket policy that names them is known at plan time."
  value       = [for k in sort(tolist(local.backup_services)) : "arn:aws:iam::${var.account_id}:role/${aws_iam_role.task[k].name}"]
}

output "task_security_group_ids" {
  description = "Security groups of the tasks by service (plus migrate); the database admits these."
  value       = { for k, g in aws_security_group.task : k => g.id }
}

output "load_balancers" {
  description = "Internal load balancers by name (public, staff): ARN, DNS name, zone ID and ARN suffix."
  value = { for k, lb in aws_lb.this : k => {
    arn        = lb.arn
    dns_name   = lb.dns_name
    zone_id    = lb.zone_id
    arn_suffix = lb.arn_suffix
  } }
}

output "target_group_arn_suffixes" {
  description = "Target group ARN suffixes by service (CloudWatch dimensions)."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn_suffix }
}

output "repository_url" {
  description = "ECR repository the pipeline pushes to."
  value       = aws_ecr_repository.this["app"].repository_url
}

output "log_group_names" {
  description = "Service log groups by service (plus migrate)."
  value       = { for k, g in aws_cloudwatch_log_group.service : k => g.name }
}

output "image" {
  description = "Image reference the services run (repository@digest)."
  value       = local.image
}

output "otel_collector_image" {
  description = "Traces collector image the services run beside the application (repository@digest, through the ECR Public pull-through cache); null while traces are off (otel_collector_image_digest unset)."
  value       = local.otel_collector_image
}

output "migrate_task" {
  description = "What the pipeline needs for `aws ecs run-task` of the migration."
  value = {
    task_definition = aws_ecs_task_definition.migrate.family
    subnets         = var.app_subnet_ids
    security_group  = aws_security_group.task["migrate"].id
  }
}
