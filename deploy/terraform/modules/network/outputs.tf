output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "IPv4 range of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Public subnets (NAT gateways only), in zone order."
  value       = aws_subnet.public[*].id
}

output "app_subnet_ids" {
  description = "Private app subnets (tasks, internal load balancers, endpoints), in zone order."
  value       = aws_subnet.app[*].id
}

output "app_subnet_cidrs" {
  description = "Address ranges of the app subnets."
  value       = aws_subnet.app[*].cidr_block
}

output "data_subnet_ids" {
  description = "Private data subnets (RDS), in zone order."
  value       = aws_subnet.data[*].id
}

output "nat_public_ips" {
  description = "Public addresses the internet sees for egress traffic (for partners' allow-lists)."
  value       = aws_eip.nat[*].public_ip
}

output "s3_prefix_list_id" {
  description = "Prefix list of the S3 gateway endpoint, for security group egress rules."
  value       = aws_vpc_endpoint.s3.prefix_list_id
}

output "endpoints_security_group_id" {
  description = "Security group of the interface VPC endpoints."
  value       = aws_security_group.endpoints.id
}

output "firewall_arn" {
  description = "ARN of the egress firewall, or null when it is left out."
  value       = one(aws_networkfirewall_firewall.this[*].arn)
}

output "flow_log_group_name" {
  description = "CloudWatch log group of the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow.name
}
