# Customer-managed KMS keys, one per purpose so that a key policy states exactly who may use it:
#   data - RDS storage, the document bucket, secrets, Fargate ephemeral storage, ECR (O2)
#   app  - the application's master key that wraps per-customer data keys (envelope encryption);
#          multi-Region, so backups restored in the DR region can still be decrypted (X2)
#   logs - CloudWatch Logs, CloudTrail, AWS Config, SNS topics, Network Firewall
# Rotation is yearly; deletion waits 30 days. Use is delegated to IAM policies of named roles.

data "aws_iam_policy_document" "key_admin" {
  #checkov:skip=CKV_AWS_109:Key policy; "*" means this key, and the only principal is this account (use is delegated to IAM policies).
  #checkov:skip=CKV_AWS_111:Key policy; "*" means this key, and the only principal is this account (use is delegated to IAM policies).
  #checkov:skip=CKV_AWS_356:Key policy; "*" means this key, and the only principal is this account (use is delegated to IAM policies).
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:root"]
    }
  }
}

# --- data ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "data_key" {
  #checkov:skip=CKV_AWS_109:Key policy; "*" means this key, and the only principals are this account and Fargate with conditions.
  #checkov:skip=CKV_AWS_111:Key policy; "*" means this key, and the only principals are this account and Fargate with conditions.
  #checkov:skip=CKV_AWS_356:Key policy; "*" means this key, and the only principals are this account and Fargate with conditions.
  source_policy_documents = [data.aws_iam_policy_document.key_admin.json]

  statement {
    sid       = "FargateEphemeralStorageDataKeys"
    actions   = ["kms:GenerateDataKeyWithoutPlaintext"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["fargate.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:aws:ecs:clusterAccount"
      values   = [var.account_id]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:aws:ecs:clusterName"
      values   = [var.ecs_cluster_name]
    }
  }
  statement {
    sid       = "FargateEphemeralStorageGrants"
    actions   = ["kms:CreateGrant"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["fargate.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:aws:ecs:clusterAccount"
      values   = [var.account_id]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:aws:ecs:clusterName"
      values   = [var.ecs_cluster_name]
    }
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "kms:GrantOperations"
      values   = ["Decrypt"]
    }
  }
  statement {
    sid       = "FargateDescribeKey"
    actions   = ["kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["fargate.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "data" {
  description             = "${var.name} data at rest: database, documents, secrets, task storage"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.key_deletion_window_days
  policy                  = data.aws_iam_policy_document.data_key.json
}

resource "aws_kms_alias" "data" {
  name          = "alias/${var.name}-data"
  target_key_id = aws_kms_key.data.key_id
}

# --- app master key -----------------------------------------------------------------------------

resource "aws_kms_key" "app" {
  description             = "${var.name} application master key (wraps per-customer data keys)"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.key_deletion_window_days
  multi_region            = true
  policy                  = data.aws_iam_policy_document.key_admin.json
}

resource "aws_kms_alias" "app" {
  name          = "alias/${var.name}-app"
  target_key_id = aws_kms_key.app.key_id
}

# --- logs ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "logs_key" {
  #checkov:skip=CKV_AWS_109:Key policy; "*" means this key, and service principals are limited by source account or encryption context.
  #checkov:skip=CKV_AWS_111:Key policy; "*" means this key, and service principals are limited by source account or encryption context.
  #checkov:skip=CKV_AWS_356:Key policy; "*" means this key, and service principals are limited by source account or encryption context.
  source_policy_documents = [data.aws_iam_policy_document.key_admin.json]

  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${var.region}:${var.account_id}:log-group:*"]
    }
  }
  statement {
    sid       = "CloudTrailEncrypt"
    actions   = ["kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:cloudtrail:arn"
      values   = ["arn:aws:cloudtrail:*:${var.account_id}:trail/*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
  statement {
    sid       = "CloudTrailDescribe"
    actions   = ["kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }
  # Services that publish to the encrypted SNS topics. The key policy names them without a
  # source condition (not every service passes one to KMS); the topic policies limit publishing
  # to this account.
  statement {
    sid       = "ServicesPublishingToEncryptedTopics"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "logs" {
  description             = "${var.name} logs, audit trail and notifications"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.key_deletion_window_days
  policy                  = data.aws_iam_policy_document.logs_key.json
}

resource "aws_kms_alias" "logs" {
  name          = "alias/${var.name}-logs"
  target_key_id = aws_kms_key.logs.key_id
}
