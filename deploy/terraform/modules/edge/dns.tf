# Custom domain (O11): a public Route 53 zone signed with DNSSEC (a bank's domain is a spoofing
# target), DNS query logging, and alias records for www.<domain> and <domain> to CloudFront.
# ACM issues and renews the certificates by DNS validation in the same zone.
# The DS record of the zone is registered once at the parent zone / registrar (deploy/README.md).

resource "aws_route53_zone" "public" {
  name    = var.domain
  comment = "${var.name} public zone"
}

resource "aws_route53_key_signing_key" "this" {
  name                       = replace(var.name, "-", "_")
  hosted_zone_id             = aws_route53_zone.public.id
  key_management_service_arn = aws_kms_key.dnssec.arn
}

resource "aws_route53_hosted_zone_dnssec" "this" {
  hosted_zone_id = aws_route53_key_signing_key.this.hosted_zone_id
}

resource "aws_cloudwatch_log_group" "dns_queries" {
  provider          = aws.us_east_1
  name              = "/aws/route53/${var.domain}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.edge_logs.arn
}

data "aws_iam_policy_document" "dns_query_logging" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:aws:logs:us-east-1:${var.account_id}:log-group:/aws/route53/*"]
    principals {
      type        = "Service"
      identifiers = ["route53.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "dns_query_logging" {
  provider        = aws.us_east_1
  policy_name     = "${var.name}-route53-query-logging"
  policy_document = data.aws_iam_policy_document.dns_query_logging.json
}

resource "aws_route53_query_log" "public" {
  zone_id                  = aws_route53_zone.public.zone_id
  cloudwatch_log_group_arn = aws_cloudwatch_log_group.dns_queries.arn
  depends_on               = [aws_cloudwatch_log_resource_policy.dns_query_logging]
}

resource "aws_route53_record" "customer" {
  for_each = toset(["A", "AAAA"])
  zone_id  = aws_route53_zone.public.zone_id
  name     = "www.${var.domain}"
  type     = each.value
  alias {
    name                   = aws_cloudfront_distribution.this.domain_name
    zone_id                = aws_cloudfront_distribution.this.hosted_zone_id
    evaluate_target_health = false
  }
}

resource "aws_route53_record" "apex" {
  for_each = toset(["A", "AAAA"])
  zone_id  = aws_route53_zone.public.zone_id
  name     = var.domain
  type     = each.value
  alias {
    name                   = aws_cloudfront_distribution.this.domain_name
    zone_id                = aws_cloudfront_distribution.this.hosted_zone_id
    evaluate_target_health = false
  }
}

# Only Amazon may issue certificates for the domain.
resource "aws_route53_record" "caa" {
  zone_id = aws_route53_zone.public.zone_id
  name    = var.domain
  type    = "CAA"
  ttl     = 3600
  records = ["0 issue \"amazon.com\"", "0 issuewild \";\"", "0 iodef \"mailto:security@${var.domain}\""]
}

# --- certificates -------------------------------------------------------------------------------
#   cdn      (us-east-1) - presented by CloudFront to customers
#   origin   (regional)  - presented by the customer load balancer to CloudFront (same names)
#   staff    (regional)  - presented by the staff load balancer

resource "aws_acm_certificate" "cdn" {
  provider                  = aws.us_east_1
  domain_name               = "www.${var.domain}"
  subject_alternative_names = [var.domain]
  validation_method         = "DNS"
  key_algorithm             = "EC_prime256v1"
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_acm_certificate" "origin" {
  domain_name               = "www.${var.domain}"
  subject_alternative_names = [var.domain]
  validation_method         = "DNS"
  key_algorithm             = "EC_prime256v1"
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_acm_certificate" "staff" {
  domain_name       = "staff.${var.domain}"
  validation_method = "DNS"
  key_algorithm     = "EC_prime256v1"
  lifecycle {
    create_before_destroy = true
  }
}

locals {
  # ACM gives the same validation record for the same name in every region, so cdn and origin
  # share theirs.
  validation_records = merge(
    { for o in aws_acm_certificate.cdn.domain_validation_options : o.domain_name => o },
    { for o in aws_acm_certificate.staff.domain_validation_options : o.domain_name => o },
  )
}

resource "aws_route53_record" "validation" {
  for_each        = local.validation_records
  zone_id         = aws_route53_zone.public.zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  ttl             = 300
  records         = [each.value.resource_record_value]
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "cdn" {
  provider                = aws.us_east_1
  certificate_arn         = aws_acm_certificate.cdn.arn
  validation_record_fqdns = [for k, r in aws_route53_record.validation : r.fqdn if k != "staff.${var.domain}"]
}

resource "aws_acm_certificate_validation" "origin" {
  certificate_arn         = aws_acm_certificate.origin.arn
  validation_record_fqdns = [for o in aws_acm_certificate.origin.domain_validation_options : o.resource_record_name]
  depends_on              = [aws_route53_record.validation]
}

resource "aws_acm_certificate_validation" "staff" {
  certificate_arn         = aws_acm_certificate.staff.arn
  validation_record_fqdns = [aws_route53_record.validation["staff.${var.domain}"].fqdn]
}
