variable "name" {
  description = "Name prefix for every resource, e.g. \"assetstatus-prod\"."
  type        = string
}

variable "region" {
  description = "AWS region of the VPC (used to build VPC endpoint service names without an API call)."
  type        = string
}

variable "account_id" {
  description = "AWS account ID; VPC endpoint policies allow only principals and resources of this account."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 range of the VPC, a /16. Must not overlap the company networks (future VPN / Direct Connect)."
  type        = string
}

variable "azs" {
  description = "Availability zones, in order. Exactly two: every tier gets one subnet per zone (O6)."
  type        = list(string)
  validation {
    condition     = length(var.azs) == 2
    error_message = "Use exactly two availability zones."
  }
}

variable "enable_network_firewall" {
  description = "Route internet egress through AWS Network Firewall with a domain allow-list (O8). Off only for the moto test, which cannot emulate Network Firewall."
  type        = bool
  default     = true
}

variable "firewall_az_count" {
  description = "Zones that get a firewall endpoint and a NAT gateway (1 or 2). With 1, the second zone's egress crosses zones and stops if the first zone fails; inbound customer traffic is unaffected (see docs/architecture.md, O9)."
  type        = number
  default     = 2
  validation {
    condition     = var.firewall_az_count >= 1 && var.firewall_az_count <= 2
    error_message = "firewall_az_count must be 1 or 2."
  }
}

variable "egress_allowed_domains" {
  description = "Domains the workloads may reach on the internet over TLS (SNI) or HTTP (Host). A leading dot allows subdomains. Everything else is dropped and logged as an alert."
  type        = list(string)
  default     = []
}

variable "protect" {
  description = "Turn on delete and change protection of the firewall. Off only where the environment is destroyed routinely."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for flow logs, firewall logs and the firewall configuration."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of flow and firewall logs in CloudWatch Logs."
  type        = number
  default     = 400
}

variable "company_cidrs" {
  description = "Private address ranges of the company sites, reached over the site-to-site VPN now and Direct Connect later (X1)."
  type        = list(string)
  default     = []
}

variable "company_vpn_peer_ip" {
  description = "Public IP of the company's VPN router. Null leaves out the site-to-site VPN."
  type        = string
  default     = null
}

variable "interface_endpoints" {
  description = "AWS services reached through interface VPC endpoints (O7), as the last part of the service name, with the TCP port the workloads use."
  type        = map(number)
  default = {
    "ecr.api"        = 443
    "ecr.dkr"        = 443
    "logs"           = 443
    "kms"            = 443
    "secretsmanager" = 443
    "email-smtp"     = 587
  }
}

variable "xray_endpoint" {
  description = "Add an interface endpoint for X-Ray (port 443) to interface_endpoints, for the services' traces collector sidecars. On only while traces are on (about USD 20/month for two zones)."
  type        = bool
  default     = false
}
