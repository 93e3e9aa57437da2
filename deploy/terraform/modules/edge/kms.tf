# Keys in us-east-1, where CloudFront, its AWS WAF and Route 53 write their logs:
#   edge_logs - CloudFront access logs, WAF logs, DNS query logs
#   dnssec    - key-signing key of the public zone (asymmetric, signing only)

data "aws_iam_policy_document" "edge_logs_key" {
  #checkov:skip=CKV_AWS_109:Key policy; "*" means this key; CloudWatch Logs is limited by encryption context, alarms only reach the account's own topic.
  #checkov:skip=CKV_AWS_111:Key policy; "*" means this key; CloudWatch Logs is limited by encryption context, alarms only reach the account's own topic.
  #checkov:skip=CKV_AWS_356:Key policy; "*" means this key; CloudWatch Logs is limited by encryption context, alarms only reach the account's own topic.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.us-east-1.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:us-east-1:${var.account_id}:log-group:*"]
    }
  }
  # CloudWatch alarms publish to the encrypted edge topic; the topic policy limits them to this account.
  statement {
    sid       = "AlarmsToEncryptedTopic"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "edge_logs" {
  provider                = aws.us_east_1
  description             = "${var.name} edge logs (CloudFront, WAF, DNS queries)"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.key_deletion_window_days
  policy                  = data.aws_iam_policy_document.edge_logs_key.json
}

resource "aws_kms_alias" "edge_logs" {
  provider      = aws.us_east_1
  name          = "alias/${var.name}-edge-logs"
  target_key_id = aws_kms_key.edge_logs.key_id
}

data "aws_iam_policy_document" "dnssec_key" {
  #checkov:skip=CKV_AWS_109:Key policy; "*" means this key, and Route 53 DNSSEC is limited to this account.
  #checkov:skip=CKV_AWS_111:Key policy; "*" means this key, and Route 53 DNSSEC is limited to this account.
  #checkov:skip=CKV_AWS_356:Key policy; "*" means this key, and Route 53 DNSSEC is limited to this account.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:root"]
    }
  }
  statement {
    sid       = "Route53DnssecSigning"
    actions   = ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["dnssec-route53.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
  statement {
    sid       = "Route53DnssecGrant"
    actions   = ["kms:CreateGrant"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["dnssec-route53.amazonaws.com"]
    }
    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }
}

resource "aws_kms_key" "dnssec" {
  #checkov:skip=CKV_AWS_7:Asymmetric signing keys cannot be rotated by KMS; the key-signing key is rolled by the DNSSEC runbook.
  provider                 = aws.us_east_1
  description              = "${var.name} DNSSEC key-signing key"
  customer_master_key_spec = "ECC_NIST_P256"
  key_usage                = "SIGN_VERIFY"
  deletion_window_in_days  = var.key_deletion_window_days
  policy                   = data.aws_iam_policy_document.dnssec_key.json
}
