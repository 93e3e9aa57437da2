variable "name" {
  description = "Name prefix for every resource, e.g. \"assetstatus-prod\"."
  type        = string
}

variable "account_id" {
  description = "AWS account ID of the environment."
  type        = string
}

variable "domain" {
  description = "DNS zone of the environment, e.g. \"example-assetstatus.jp\" (prod) or \"test.example-assetstatus.jp\". Customers use www.<domain> and <domain> (O11); staff use staff.<domain> inside the company network."
  type        = string
}

variable "vpc_id" {
  description = "VPC the private staff zone is attached to."
  type        = string
}

variable "app_subnet_ids" {
  description = "Private app subnets (two zones) for the Route 53 Resolver inbound endpoint."
  type        = list(string)
}

variable "company_cidrs" {
  description = "Company networks that resolve and reach the staff host name over the VPN / Direct Connect."
  type        = list(string)
}

variable "staff_dns_inbound_resolver" {
  description = "Create a Route 53 Resolver inbound endpoint so the company DNS can forward staff.<domain> into the VPC (about USD 180 a month)."
  type        = bool
  default     = false
}

variable "public_load_balancer" {
  description = "Internal customer load balancer that CloudFront reaches through a VPC origin."
  type = object({
    arn      = string
    dns_name = string
  })
}

variable "staff_load_balancer" {
  description = "Internal staff load balancer the private staff record points at."
  type = object({
    dns_name = string
    zone_id  = string
  })
}

variable "price_class" {
  description = "CloudFront price class; PriceClass_200 includes Japan and costs less than PriceClass_All."
  type        = string
  default     = "PriceClass_200"
}

variable "rate_limit_per_ip" {
  description = "Requests one IP may send in 5 minutes before AWS WAF blocks it (X5)."
  type        = number
  default     = 2000
}

variable "sign_in_rate_limit_per_ip" {
  description = "Requests one IP may send in 5 minutes to the sign-in and sign-up paths (credential stuffing)."
  type        = number
  default     = 100
}

variable "sign_in_paths" {
  description = "Path prefixes that get the stricter sign-in rate limit (the token endpoint is left out: its clients authenticate with 256-bit secrets or keys, and service traffic from one NAT address would trip it)."
  type        = list(string)
  default     = ["/login", "/signup", "/password", "/oauth2/authorize", "/api/v1/auth"]
}

variable "log_retention_days" {
  description = "Retention of CloudFront, WAF and DNS query logs."
  type        = number
  default     = 400
}

variable "key_deletion_window_days" {
  description = "Waiting period before a scheduled KMS key deletion takes effect."
  type        = number
  default     = 30
}
