output "public_base_url" {
  description = "Customer address (O11)."
  value       = module.edge.public_base_url
}

output "staff_url" {
  description = "Staff address, resolvable and reachable from company networks only."
  value       = module.edge.staff_url
}

output "name_servers" {
  description = "Delegate the domain to these name servers."
  value       = module.edge.name_servers
}

output "repository_url" {
  description = "ECR repository the pipeline pushes the image to."
  value       = module.compute.repository_url
}

output "image" {
  description = "Image the services run (repository@digest); the pipeline reads it to know the rollback target."
  value       = module.compute.image
}

output "otel_collector_image" {
  description = "Traces collector image of the services (ECR Public pull-through cache, by digest); prime the cache with it when the digest changes (deploy/README.md). null while traces are off."
  value       = module.compute.otel_collector_image
}

output "cluster_name" {
  description = "ECS cluster."
  value       = module.compute.cluster_name
}

output "service_names" {
  description = "ECS services."
  value       = module.compute.service_names
}

output "migrate_task" {
  description = "Task definition family, subnets and security group for the migration run."
  value       = module.compute.migrate_task
}

output "secret_arns" {
  description = "Secrets whose values the bootstrap runbook sets."
  value       = module.data.secret_arns
}

output "db_endpoint" {
  description = "Database host for the connection URLs."
  value       = module.data.db_endpoint
}

output "deploy_role_arn" {
  description = "Role the pipeline assumes in this account."
  value       = module.delivery.deploy_role_arn
}

output "nat_public_ips" {
  description = "Egress addresses (for partners' allow-lists)."
  value       = module.network.nat_public_ips
}

output "dashboard_name" {
  description = "CloudWatch dashboard (A1)."
  value       = module.observability.dashboard_name
}
