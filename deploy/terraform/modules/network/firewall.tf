# AWS Network Firewall: every packet from the app tier to the internet passes a stateful policy
# that allows only TLS (SNI) and HTTP (Host) to the listed domains and drops and logs the rest (O8).
# Routing is symmetric: app -> firewall -> NAT -> IGW, and the public route table sends the reply
# for the app subnets back through the same firewall endpoint.

locals {
  # availability zone => firewall endpoint ID (known after apply)
  firewall_endpoint = var.enable_network_firewall ? {
    for s in aws_networkfirewall_firewall.this[0].firewall_status[0].sync_states :
    s.availability_zone => s.attachment[0].endpoint_id
  } : {}
}

resource "aws_networkfirewall_rule_group" "allowed_domains" {
  count    = var.enable_network_firewall && length(var.egress_allowed_domains) > 0 ? 1 : 0
  name     = "${var.name}-egress-allowed-domains"
  type     = "STATEFUL"
  capacity = 100

  rule_group {
    stateful_rule_options {
      rule_order = "STRICT_ORDER"
    }
    rules_source {
      rules_source_list {
        generated_rules_type = "ALLOWLIST"
        target_types         = ["TLS_SNI", "HTTP_HOST"]
        targets              = var.egress_allowed_domains
      }
    }
  }

  encryption_configuration {
    type   = "CUSTOMER_KMS"
    key_id = var.kms_key_arn
  }
}

resource "aws_networkfirewall_firewall_policy" "this" {
  count = var.enable_network_firewall ? 1 : 0
  name  = "${var.name}-egress"

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    # Let the TCP handshake through so the SNI can be read, then drop what no rule allowed.
    stateful_default_actions = ["aws:drop_established", "aws:alert_established"]
    stateful_engine_options {
      rule_order = "STRICT_ORDER"
    }
    dynamic "stateful_rule_group_reference" {
      for_each = aws_networkfirewall_rule_group.allowed_domains
      content {
        priority     = 100
        resource_arn = stateful_rule_group_reference.value.arn
      }
    }
  }

  encryption_configuration {
    type   = "CUSTOMER_KMS"
    key_id = var.kms_key_arn
  }
}

resource "aws_networkfirewall_firewall" "this" {
  count                             = var.enable_network_firewall ? 1 : 0
  name                              = "${var.name}-egress"
  vpc_id                            = aws_vpc.this.id
  firewall_policy_arn               = aws_networkfirewall_firewall_policy.this[0].arn
  delete_protection                 = var.protect
  subnet_change_protection          = var.protect
  firewall_policy_change_protection = var.protect

  dynamic "subnet_mapping" {
    for_each = aws_subnet.firewall
    content {
      subnet_id = subnet_mapping.value.id
    }
  }

  encryption_configuration {
    type   = "CUSTOMER_KMS"
    key_id = var.kms_key_arn
  }
}

resource "aws_cloudwatch_log_group" "firewall" {
  for_each          = var.enable_network_firewall ? toset(["alert", "flow"]) : toset([])
  name              = "/assetstatus/${var.name}/network-firewall/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_networkfirewall_logging_configuration" "this" {
  count        = var.enable_network_firewall ? 1 : 0
  firewall_arn = aws_networkfirewall_firewall.this[0].arn
  logging_configuration {
    log_destination_config {
      log_type             = "ALERT"
      log_destination_type = "CloudWatchLogs"
      log_destination      = { logGroup = aws_cloudwatch_log_group.firewall["alert"].name }
    }
    log_destination_config {
      log_type             = "FLOW"
      log_destination_type = "CloudWatchLogs"
      log_destination      = { logGroup = aws_cloudwatch_log_group.firewall["flow"].name }
    }
  }
}

# Firewall subnets: default route to the NAT gateway of the same zone.
resource "aws_route_table" "firewall" {
  count  = length(aws_subnet.firewall)
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name}-firewall-${var.azs[count.index]}" }
}

resource "aws_route" "firewall_default" {
  count                  = length(aws_subnet.firewall)
  route_table_id         = aws_route_table.firewall[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[count.index].id
}

resource "aws_route_table_association" "firewall" {
  count          = length(aws_subnet.firewall)
  subnet_id      = aws_subnet.firewall[count.index].id
  route_table_id = aws_route_table.firewall[count.index].id
}

# Return path: replies for an app subnet leave the NAT gateway through the firewall endpoint
# that saw the request.
resource "aws_route" "public_return" {
  count                  = var.enable_network_firewall ? length(var.azs) : 0
  route_table_id         = aws_route_table.public[local.az_index[local.egress_az_of[var.azs[count.index]]]].id
  destination_cidr_block = local.app_cidrs[count.index]
  vpc_endpoint_id        = local.firewall_endpoint[local.egress_az_of[var.azs[count.index]]]
}
