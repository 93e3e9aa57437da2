# Container registry (O4): tags are immutable, so a digest deployed to test is exactly what reaches
# production; Amazon Inspector scans every pushed image and rescans continuously when new CVEs are
# published (enhanced scanning); images are encrypted with the customer-managed key.

resource "aws_ecr_repository" "app" {
  name                 = "assetstatus"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.data_key_arn
  }
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
  repository = aws_ecr_repository.app.name
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
  repository = aws_ecr_repository.app.name
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
