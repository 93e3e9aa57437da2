output "zone_id" {
  description = "Public Route 53 zone of the domain."
  value       = aws_route53_zone.public.zone_id
}

output "name_servers" {
  description = "Name servers to delegate the domain to (registrar or parent zone)."
  value       = aws_route53_zone.public.name_servers
}

output "public_base_url" {
  description = "Address customers use."
  value       = "https://www.${var.domain}"
}

output "staff_url" {
  description = "Address staff use inside the company network."
  value       = "https://staff.${var.domain}"
}

output "origin_certificate_arn" {
  description = "Validated regional certificate for the customer load balancer."
  value       = aws_acm_certificate_validation.origin.certificate_arn
}

output "staff_certificate_arn" {
  description = "Validated regional certificate for the staff load balancer."
  value       = aws_acm_certificate_validation.staff.certificate_arn
}

output "distribution_id" {
  description = "CloudFront distribution ID (CloudWatch dimension, cache invalidation)."
  value       = aws_cloudfront_distribution.this.id
}

output "web_acl_name" {
  description = "Name of the AWS WAF web ACL (CloudWatch dimension)."
  value       = aws_wafv2_web_acl.this.name
}

output "edge_logs_key_arn" {
  description = "KMS key in us-east-1 for edge logs and the edge alarm topic."
  value       = aws_kms_key.edge_logs.arn
}

output "resolver_inbound_ips" {
  description = "Addresses the company DNS forwards staff.<domain> to (empty without the inbound endpoint)."
  value       = flatten([for e in aws_route53_resolver_endpoint.inbound : [for ip in e.ip_address : ip.ip]])
}
