# VPC endpoints keep traffic to AWS services on private addresses (O7): S3 through a gateway
# endpoint (free), the rest through interface endpoints in both app subnets (about USD 10 per
# endpoint per zone per month). Endpoint policies form a data perimeter: only principals of this
# account, and for S3 only buckets of this account plus the ECR layer bucket. X-Ray gets one only
# while traces are on (xray_endpoint): nothing else sends to it.

locals {
  interface_endpoints = merge(var.interface_endpoints, var.xray_endpoint ? { "xray" = 443 } : {})
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.app[*].id
  policy            = data.aws_iam_policy_document.s3_endpoint.json
  tags              = { Name = "${var.name}-s3" }
}

data "aws_iam_policy_document" "s3_endpoint" {
  #checkov:skip=CKV_AWS_283:Endpoint policies name the principal "*" by design; the first statement is limited to this account's principals and buckets, the second to reading ECR's image-layer bucket as AWS documents it.
  statement {
    sid       = "OwnAccountBuckets"
    actions   = ["s3:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceAccount"
      values   = [var.account_id]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalAccount"
      values   = [var.account_id]
    }
  }
  statement {
    sid       = "EcrImageLayers"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::prod-${var.region}-starport-layer-bucket/*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

resource "aws_security_group" "endpoints" {
  name        = "${var.name}-vpc-endpoints"
  description = "Interface VPC endpoints: reachable from inside the VPC only"
  vpc_id      = aws_vpc.this.id
  tags        = { Name = "${var.name}-vpc-endpoints" }
}

resource "aws_vpc_security_group_ingress_rule" "endpoints" {
  for_each          = toset([for port in distinct(values(local.interface_endpoints)) : tostring(port)])
  security_group_id = aws_security_group.endpoints.id
  description       = "Workloads in the VPC to AWS service endpoints on port ${each.key}"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
  cidr_ipv4         = var.cidr_block
}

data "aws_iam_policy_document" "interface_endpoint" {
  #checkov:skip=CKV_AWS_1:Endpoint policy, not an identity policy: it grants nothing by itself and only limits the endpoint to this account's principals (data perimeter).
  #checkov:skip=CKV_AWS_49:Endpoint policy, not an identity policy: it grants nothing by itself and only limits the endpoint to this account's principals (data perimeter).
  statement {
    sid       = "OwnAccountPrincipals"
    actions   = ["*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_vpc_endpoint" "interface" {
  for_each            = local.interface_endpoints
  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${var.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = aws_subnet.app[*].id
  security_group_ids  = [aws_security_group.endpoints.id]
  private_dns_enabled = true
  # The SES SMTP endpoint speaks SMTP, not the AWS API, and takes no endpoint policy.
  policy = each.key == "email-smtp" ? null : data.aws_iam_policy_document.interface_endpoint.json
  tags   = { Name = "${var.name}-${each.key}" }
}
