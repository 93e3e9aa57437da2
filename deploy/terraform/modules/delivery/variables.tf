variable "name" {
  description = "Name prefix for every resource, e.g. \"assetstatus-prod\"."
  type        = string
}

variable "github_repository" {
  description = "GitHub repository allowed to deploy, as \"owner/name\"."
  type        = string
}

variable "github_environment" {
  description = "GitHub environment whose jobs may assume the deploy role (test, staging, production)."
  type        = string
}

variable "create_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (only one may exist per account)."
  type        = bool
  default     = true
}

variable "account_id" {
  description = "AWS account ID of the environment."
  type        = string
}
