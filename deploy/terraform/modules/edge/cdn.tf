# CloudFront in front of the customer route (X5): TLS 1.2+ at the edge, HTTP/3, AWS Shield
# Standard, AWS WAF, security headers. The origin is the *internal* customer load balancer reached
# through a CloudFront VPC origin: it has no public address, so the CDN cannot be bypassed.
# Dynamic pages are not cached and get the whole request (all headers, cookies, query strings);
# static files under /static/ are cached. Either way the viewer's Host header reaches the origin,
# which the origin certificate (www.<domain>, <domain>) is checked against.

resource "aws_cloudfront_vpc_origin" "customer" {
  provider = aws.us_east_1
  vpc_origin_endpoint_config {
    name                   = "${var.name}-customer-alb"
    arn                    = var.public_load_balancer.arn
    http_port              = 80
    https_port             = 443
    origin_protocol_policy = "https-only"
    origin_ssl_protocols {
      items    = ["TLSv1.2"]
      quantity = 1
    }
  }
}

resource "aws_cloudfront_response_headers_policy" "security" {
  provider = aws.us_east_1
  name     = "${var.name}-security-headers"
  comment  = "HSTS and hardening headers; the application sets its own Content-Security-Policy"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = false
    }
  }

  remove_headers_config {
    items {
      header = "Server"
    }
  }
}

# Static files: cached, and only the Host header goes to the origin. The load balancer's
# certificate is for the customer host names, so CloudFront must always send the viewer's Host.
resource "aws_cloudfront_origin_request_policy" "host_only" {
  provider = aws.us_east_1
  name     = "${var.name}-host-only"
  comment  = "Forward only the Host header (certificate match at the origin)"
  headers_config {
    header_behavior = "whitelist"
    headers {
      items = ["Host"]
    }
  }
  cookies_config {
    cookie_behavior = "none"
  }
  query_strings_config {
    query_string_behavior = "none"
  }
}

locals {
  origin_id = "customer-alb"
  # AWS managed policies (IDs are fixed by AWS)
  cache_policy_caching_disabled    = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  cache_policy_caching_optimized   = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  origin_request_policy_all_viewer = "216adef6-5c7f-47e4-b989-5492eafa07d3"
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_86:Access logs use CloudFront standard logging v2 into a KMS-encrypted CloudWatch log group (aws_cloudwatch_log_delivery.cloudfront), which this check does not recognise.
  #checkov:skip=CKV_AWS_310:One origin only; it is a load balancer spread over two zones, so a failover origin would point at the same thing.
  #checkov:skip=CKV_AWS_374:Customers may use the service while travelling; non-Japanese traffic is counted by the WAF geo rule instead of being blocked (docs/architecture.md, assumptions).
  #checkov:skip=CKV_AWS_305:Dynamic application; "/" is served by the application, there is no default root object.
  provider        = aws.us_east_1
  enabled         = true
  comment         = "${var.name} customer portal"
  aliases         = ["www.${var.domain}", var.domain]
  is_ipv6_enabled = true
  http_version    = "http2and3"
  price_class     = var.price_class
  web_acl_id      = aws_wafv2_web_acl.this.arn

  origin {
    origin_id   = local.origin_id
    domain_name = var.public_load_balancer.dns_name
    vpc_origin_config {
      vpc_origin_id            = aws_cloudfront_vpc_origin.customer.id
      origin_keepalive_timeout = 5
      origin_read_timeout      = 30
    }
  }

  default_cache_behavior {
    target_origin_id           = local.origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = local.cache_policy_caching_disabled
    origin_request_policy_id   = local.origin_request_policy_all_viewer
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
    compress                   = true
  }

  ordered_cache_behavior {
    path_pattern               = "/static/*"
    target_origin_id           = local.origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    cache_policy_id            = local.cache_policy_caching_optimized
    origin_request_policy_id   = aws_cloudfront_origin_request_policy.host_only.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
    compress                   = true
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = aws_acm_certificate_validation.cdn.certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }
}

# --- standard logging v2 into CloudWatch Logs (A4) ----------------------------------------------

resource "aws_cloudwatch_log_group" "cloudfront" {
  provider          = aws.us_east_1
  name              = "/aws/vendedlogs/cloudfront/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.edge_logs.arn
}

resource "aws_cloudwatch_log_delivery_source" "cloudfront" {
  provider     = aws.us_east_1
  name         = "${var.name}-cloudfront"
  log_type     = "ACCESS_LOGS"
  resource_arn = aws_cloudfront_distribution.this.arn
}

resource "aws_cloudwatch_log_delivery_destination" "cloudfront" {
  provider      = aws.us_east_1
  name          = "${var.name}-cloudfront"
  output_format = "json"
  delivery_destination_configuration {
    destination_resource_arn = aws_cloudwatch_log_group.cloudfront.arn
  }
}

resource "aws_cloudwatch_log_delivery" "cloudfront" {
  provider                 = aws.us_east_1
  delivery_source_name     = aws_cloudwatch_log_delivery_source.cloudfront.name
  delivery_destination_arn = aws_cloudwatch_log_delivery_destination.cloudfront.arn
}
