output "deploy_role_arn" {
  description = "Role the pipeline assumes (set it as the GitHub environment variable AWS_DEPLOY_ROLE_ARN)."
  value       = aws_iam_role.deploy.arn
}
