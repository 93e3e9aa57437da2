# Staff route (O5, X1): staff.<domain> exists only in a private zone attached to the VPC, so it
# cannot be resolved on the internet and has no public address. Company sites reach it over the
# site-to-site VPN (Direct Connect later); their DNS forwards staff.<domain> to the optional
# Route 53 Resolver inbound endpoint. The staff load balancer admits company networks only.

resource "aws_route53_zone" "staff" {
  #checkov:skip=CKV2_AWS_38:DNSSEC signing is not available for private hosted zones.
  #checkov:skip=CKV2_AWS_39:Query logging is not available for private hosted zones; the VPC flow logs record who connects to the staff load balancer.
  name    = "staff.${var.domain}"
  comment = "${var.name} staff consoles, private"
  vpc {
    vpc_id = var.vpc_id
  }
}

resource "aws_route53_record" "staff" {
  zone_id = aws_route53_zone.staff.zone_id
  name    = "staff.${var.domain}"
  type    = "A"
  alias {
    name                   = var.staff_load_balancer.dns_name
    zone_id                = var.staff_load_balancer.zone_id
    evaluate_target_health = true
  }
}

resource "aws_security_group" "resolver" {
  count       = var.staff_dns_inbound_resolver ? 1 : 0
  name        = "${var.name}-resolver-inbound"
  description = "DNS queries from company networks"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "resolver" {
  for_each          = var.staff_dns_inbound_resolver ? { for p in setproduct(var.company_cidrs, ["tcp", "udp"]) : "${p[0]}/${p[1]}" => p } : {}
  security_group_id = aws_security_group.resolver[0].id
  description       = "DNS over ${each.value[1]} from ${each.value[0]}"
  ip_protocol       = each.value[1]
  from_port         = 53
  to_port           = 53
  cidr_ipv4         = each.value[0]
}

resource "aws_route53_resolver_endpoint" "inbound" {
  count              = var.staff_dns_inbound_resolver ? 1 : 0
  name               = "${var.name}-inbound"
  direction          = "INBOUND"
  security_group_ids = [aws_security_group.resolver[0].id]
  dynamic "ip_address" {
    for_each = var.app_subnet_ids
    content {
      subnet_id = ip_address.value
    }
  }
}
