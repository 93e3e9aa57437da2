# Notification topics, all encrypted with customer-managed keys:
#   ops-alerts     - failures and slow responses to system administrators (A2)
#   edge-alerts    - the same for metrics that only exist in us-east-1 (CloudFront, WAF, health check)
#   billing-alerts - cloud cost to business operators (B2)
# Security findings have their own topic in modules/security (A3).

data "aws_iam_policy_document" "topic" {
  for_each = {
    ops     = { arn = aws_sns_topic.ops.arn, services = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "backup.amazonaws.com"] }
    edge    = { arn = aws_sns_topic.edge.arn, services = ["cloudwatch.amazonaws.com"] }
    billing = { arn = aws_sns_topic.billing.arn, services = ["budgets.amazonaws.com"] }
  }
  statement {
    sid       = "ServicePublishers"
    actions   = ["sns:Publish"]
    resources = [each.value.arn]
    principals {
      type        = "Service"
      identifiers = each.value.services
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_sns_topic" "ops" {
  name              = "${var.name}-ops-alerts"
  kms_master_key_id = var.logs_key_arn
}

resource "aws_sns_topic_policy" "ops" {
  arn    = aws_sns_topic.ops.arn
  policy = data.aws_iam_policy_document.topic["ops"].json
}

resource "aws_sns_topic_subscription" "ops" {
  for_each  = toset(var.admin_emails)
  topic_arn = aws_sns_topic.ops.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic" "edge" {
  provider          = aws.us_east_1
  name              = "${var.name}-edge-alerts"
  kms_master_key_id = var.edge_logs_key_arn
}

resource "aws_sns_topic_policy" "edge" {
  provider = aws.us_east_1
  arn      = aws_sns_topic.edge.arn
  policy   = data.aws_iam_policy_document.topic["edge"].json
}

resource "aws_sns_topic_subscription" "edge" {
  provider  = aws.us_east_1
  for_each  = toset(var.admin_emails)
  topic_arn = aws_sns_topic.edge.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic" "billing" {
  name              = "${var.name}-billing-alerts"
  kms_master_key_id = var.logs_key_arn
}

resource "aws_sns_topic_policy" "billing" {
  arn    = aws_sns_topic.billing.arn
  policy = data.aws_iam_policy_document.topic["billing"].json
}

resource "aws_sns_topic_subscription" "billing" {
  for_each  = toset(var.operator_emails)
  topic_arn = aws_sns_topic.billing.arn
  protocol  = "email"
  endpoint  = each.value
}
