# Two internal Application Load Balancers in the private app subnets, neither with a public address:
#   public - the customer route; its only client is CloudFront through a VPC origin (X5)
#   staff  - back office and operations consoles; its only clients are company networks over the
#            site-to-site VPN / Direct Connect (O5, X1). It is never attached to CloudFront.
# TLS 1.2+ with TLS 1.3 preferred on both (O2); malformed headers are dropped.

locals {
  lb_port = { public = 8080, staff = 8081 }
  lb_certificate = {
    public = var.public_certificate_arn
    staff  = var.staff_certificate_arn
  }
  lb_services = { for k, s in var.services : k => s if s.load_balancer != null }
  # load balancer => the one service behind it (a duplicate key fails the plan)
  lb_service = { for k, s in local.lb_services : s.load_balancer => k }
}

resource "aws_security_group" "lb_public" {
  #checkov:skip=CKV2_AWS_5:Attached to aws_lb.this["public"] through local.lb_security_group, which the check does not follow.
  name        = "${var.name}-lb-public"
  description = "Customer load balancer: HTTPS from CloudFront only"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name}-lb-public" }
}

resource "aws_vpc_security_group_ingress_rule" "lb_public_cloudfront" {
  security_group_id = aws_security_group.lb_public.id
  description       = "HTTPS from CloudFront (VPC origin) only"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = var.cloudfront_origin_prefix_list_id
}

resource "aws_security_group" "lb_staff" {
  #checkov:skip=CKV2_AWS_5:Attached to aws_lb.this["staff"] through local.lb_security_group, which the check does not follow.
  name        = "${var.name}-lb-staff"
  description = "Staff load balancer: HTTPS from company networks only"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name}-lb-staff" }
}

resource "aws_vpc_security_group_ingress_rule" "lb_staff_company" {
  for_each          = toset(var.staff_allowed_cidrs)
  security_group_id = aws_security_group.lb_staff.id
  description       = "HTTPS from company network ${each.value}"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}

locals {
  lb_security_group = {
    public = aws_security_group.lb_public.id
    staff  = aws_security_group.lb_staff.id
  }
}

resource "aws_vpc_security_group_egress_rule" "lb_to_tasks" {
  for_each                     = local.lb_services
  security_group_id            = local.lb_security_group[each.value.load_balancer]
  description                  = "To ${each.key} tasks"
  ip_protocol                  = "tcp"
  from_port                    = local.lb_port[each.value.load_balancer]
  to_port                      = local.lb_port[each.value.load_balancer]
  referenced_security_group_id = aws_security_group.task[each.key].id
}

resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_91:ELB access logs can only be written to an SSE-S3 bucket, and every bucket here uses the customer-managed key; requests are logged by CloudFront (standard logging v2), AWS WAF and the application's access log.
  #checkov:skip=CKV2_AWS_28:Internal load balancer with no public address; AWS WAF runs on the CloudFront distribution in front of it (public) or the client is a company network (staff).
  for_each                   = local.lb_service
  name                       = "${var.name}-${each.key}"
  internal                   = true
  load_balancer_type         = "application"
  subnets                    = var.app_subnet_ids
  security_groups            = [local.lb_security_group[each.key]]
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "strictest"
  enable_deletion_protection = var.deletion_protection
  idle_timeout               = 60
}

resource "aws_lb_target_group" "this" {
  for_each             = local.lb_services
  name                 = "${var.name}-${each.key}"
  port                 = local.lb_port[each.value.load_balancer]
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    path                = "/readyz"
    port                = "traffic-port"
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "https" {
  for_each          = aws_lb.this
  load_balancer_arn = each.value.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = local.lb_certificate[each.key]

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[local.lb_service[each.key]].arn
  }
}
