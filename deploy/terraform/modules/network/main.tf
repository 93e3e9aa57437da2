# VPC over two availability zones with four tiers of subnets:
#   public   - NAT gateways only (load balancers stay internal, see compute)
#   firewall - AWS Network Firewall endpoints (egress inspection, O8)
#   app      - ECS tasks, internal load balancers, interface VPC endpoints
#   data     - RDS; no route to the internet at all
# Egress path: app -> firewall endpoint -> NAT gateway -> internet gateway.

locals {
  az_index = { for i, az in var.azs : az => i }

  # Zones with a firewall endpoint and NAT gateway, and for every zone the zone its egress uses.
  egress_zones = slice(var.azs, 0, var.firewall_az_count)
  egress_az_of = { for i, az in var.azs : az => (i < var.firewall_az_count ? az : var.azs[0]) }

  public_cidrs   = [for i, _ in var.azs : cidrsubnet(var.cidr_block, 8, i)]       # /24 x2
  firewall_cidrs = [for i, _ in var.azs : cidrsubnet(var.cidr_block, 12, 32 + i)] # /28 x2
  app_cidrs      = [for i, _ in var.azs : cidrsubnet(var.cidr_block, 4, 1 + i)]   # /20 x2
  data_cidrs     = [for i, _ in var.azs : cidrsubnet(var.cidr_block, 8, 100 + i)] # /24 x2
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = var.name }
}

# The default security group of the VPC allows nothing; every workload gets its own group.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name}-default-deny" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = var.name }
}

resource "aws_subnet" "public" {
  count             = length(var.azs)
  vpc_id            = aws_vpc.this.id
  availability_zone = var.azs[count.index]
  cidr_block        = local.public_cidrs[count.index]
  tags              = { Name = "${var.name}-public-${var.azs[count.index]}", Tier = "public" }
}

resource "aws_subnet" "firewall" {
  count             = var.enable_network_firewall ? var.firewall_az_count : 0
  vpc_id            = aws_vpc.this.id
  availability_zone = var.azs[count.index]
  cidr_block        = local.firewall_cidrs[count.index]
  tags              = { Name = "${var.name}-firewall-${var.azs[count.index]}", Tier = "firewall" }
}

resource "aws_subnet" "app" {
  count             = length(var.azs)
  vpc_id            = aws_vpc.this.id
  availability_zone = var.azs[count.index]
  cidr_block        = local.app_cidrs[count.index]
  tags              = { Name = "${var.name}-app-${var.azs[count.index]}", Tier = "app" }
}

resource "aws_subnet" "data" {
  count             = length(var.azs)
  vpc_id            = aws_vpc.this.id
  availability_zone = var.azs[count.index]
  cidr_block        = local.data_cidrs[count.index]
  tags              = { Name = "${var.name}-data-${var.azs[count.index]}", Tier = "data" }
}

# --- NAT gateways (one per egress zone) ---------------------------------------------------------

resource "aws_eip" "nat" {
  count  = var.firewall_az_count
  domain = "vpc"
  tags   = { Name = "${var.name}-nat-${var.azs[count.index]}" }
}

resource "aws_nat_gateway" "this" {
  count         = var.firewall_az_count
  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
  tags          = { Name = "${var.name}-${var.azs[count.index]}" }
  depends_on    = [aws_internet_gateway.this]
}

# --- Route tables -------------------------------------------------------------------------------

resource "aws_route_table" "public" {
  count  = length(var.azs)
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name}-public-${var.azs[count.index]}" }
}

resource "aws_route" "public_internet" {
  count                  = length(var.azs)
  route_table_id         = aws_route_table.public[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count          = length(var.azs)
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[count.index].id
}

resource "aws_route_table" "app" {
  count  = length(var.azs)
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name}-app-${var.azs[count.index]}" }
}

# Default route of the app tier: through the firewall endpoint of the zone's egress zone, or
# straight to the NAT gateway where the firewall is left out (moto test only).
resource "aws_route" "app_default" {
  count                  = length(var.azs)
  route_table_id         = aws_route_table.app[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  vpc_endpoint_id        = var.enable_network_firewall ? local.firewall_endpoint[local.egress_az_of[var.azs[count.index]]] : null
  nat_gateway_id         = var.enable_network_firewall ? null : aws_nat_gateway.this[local.az_index[local.egress_az_of[var.azs[count.index]]]].id
}

resource "aws_route_table_association" "app" {
  count          = length(var.azs)
  subnet_id      = aws_subnet.app[count.index].id
  route_table_id = aws_route_table.app[count.index].id
}

# The data tier has no default route: the database never talks to the internet.
resource "aws_route_table" "data" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${var.name}-data" }
}

resource "aws_route_table_association" "data" {
  count          = length(var.azs)
  subnet_id      = aws_subnet.data[count.index].id
  route_table_id = aws_route_table.data.id
}

# --- Flow logs (A4) -----------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "flow" {
  name              = "/assetstatus/${var.name}/vpc-flow"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

data "aws_iam_policy_document" "flow_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

data "aws_iam_policy_document" "flow" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.flow.arn}:*"]
  }
}

resource "aws_iam_role" "flow" {
  name               = "${var.name}-vpc-flow-logs"
  assume_role_policy = data.aws_iam_policy_document.flow_assume.json
}

resource "aws_iam_role_policy" "flow" {
  name   = "write-flow-logs"
  role   = aws_iam_role.flow.id
  policy = data.aws_iam_policy_document.flow.json
}

resource "aws_flow_log" "this" {
  vpc_id                   = aws_vpc.this.id
  traffic_type             = "ALL"
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.flow.arn
  iam_role_arn             = aws_iam_role.flow.arn
  max_aggregation_interval = 60
}
