# Container registry (O4): tags are immutable, so a digest deployed to test is exactly what reaches
# production; Amazon Inspector scans every pushed image and rescans continuously when new CVEs are
# published (enhanced scanning); images are encrypted with the customer-managed key.

# The application's repository and, when traces are on, the traces collector's (the pull-through
# cache at the end of this file): the same settings for both.
locals {
  ecr_repositories = merge(
    { app = "assetstatus" },
    # ecr-public/<repository in ECR Public>: public.ecr.aws/aws-observability/aws-otel-collector
    local.traces ? { otel_collector = "${aws_ecr_pull_through_cache_rule.ecr_public[0].ecr_repository_prefix}/aws-observability/aws-otel-collector" } : {},
  )
}

resource "aws_ecr_repository" "this" {
  for_each             = local.ecr_repositories
  name                 = each.value
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.data_key_arn
  }
}

moved {
  from = aws_ecr_repository.app
  to   = aws_ecr_repository.this["app"]
}

# Promotion: the next environment's deploy role may pull (never push) from this registry.
data "aws_iam_policy_document" "promotion" {
  count = length(var.promotion_pullers) > 0 ? 1 : 0
  statement {
    sid     = "PromoteToNextEnvironment"
    actions = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability", "ecr:DescribeImages"]
    # Account principals plus a role condition: the policy stays valid before those roles exist.
    principals {
      type        = "AWS"
      identifiers = distinct([for arn in var.promotion_pullers : "arn:aws:iam::${split(":", arn)[4]}:root"])
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:PrincipalArn"
      values   = var.promotion_pullers
    }
  }
}

resource "aws_ecr_repository_policy" "promotion" {
  count      = length(var.promotion_pullers) > 0 ? 1 : 0
  repository = aws_ecr_repository.this["app"].name
  policy     = data.aws_iam_policy_document.promotion[0].json
}

resource "aws_ecr_registry_scanning_configuration" "this" {
  scan_type = "ENHANCED"
  rule {
    scan_frequency = "CONTINUOUS_SCAN"
    repository_filter {
      filter      = "*"
      filter_type = "WILDCARD"
    }
  }
}

resource "aws_ecr_lifecycle_policy" "app" {
  repository = aws_ecr_repository.this["app"].name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Drop untagged layers after two weeks"
        selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 14 }
        action       = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the last 100 releases (rollback targets)"
        selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 100 }
        action       = { type = "expire" }
      },
    ]
  })
}

# Third-party images the tasks run (the traces collector sidecar, services.tf, when
# otel_collector_image_digest is set) come from ECR Public through a pull-through cache: the tasks
# pull them from this registry over the ECR VPC endpoints, so the egress firewall's allow-list
# needs no registry or CDN domain; ECR itself fetches the upstream image once, on the first pull of
# a digest. They are pinned by digest like the application (ADR 0105) and scanned by Inspector like
# every repository here (the registry's enhanced scanning covers all of them). Its repository
# (otel_collector in ecr_repositories above) is created by Terraform, before the first pull, so it
# is encrypted with the customer-managed key (ECR would create it AES256-encrypted).
# No lifecycle policy: an image pulled by digest is untagged, and expiring untagged images would
# remove the pinned collector. Without the digest there is neither cache rule nor repository.
resource "aws_ecr_pull_through_cache_rule" "ecr_public" {
  count                 = local.traces ? 1 : 0
  ecr_repository_prefix = "ecr-public"
  upstream_registry_url = "public.ecr.aws"
}
