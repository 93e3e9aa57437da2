# Security notifications to the system administrators (A3): GuardDuty and Security Hub findings of
# high severity, and CIS metric filters over the CloudTrail log (root use, denied API calls,
# console logins without MFA, changes to IAM, CloudTrail, KMS and network security).

resource "aws_sns_topic" "security" {
  name              = "${var.name}-security-alerts"
  kms_master_key_id = aws_kms_key.logs.arn
}

data "aws_iam_policy_document" "security_topic" {
  statement {
    sid       = "AlarmAndEventPublishers"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.security.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com", "cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "security" {
  arn    = aws_sns_topic.security.arn
  policy = data.aws_iam_policy_document.security_topic.json
}

resource "aws_sns_topic_subscription" "security_email" {
  for_each  = toset(var.admin_emails)
  topic_arn = aws_sns_topic.security.arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  security_event_patterns = {
    guardduty = {
      source        = ["aws.guardduty"]
      "detail-type" = ["GuardDuty Finding"]
      detail        = { severity = [{ numeric = [">=", 7] }] }
    }
    securityhub = {
      source        = ["aws.securityhub"]
      "detail-type" = ["Security Hub Findings - Imported"]
      detail = {
        findings = {
          Severity    = { Label = ["HIGH", "CRITICAL"] }
          Workflow    = { Status = ["NEW"] }
          RecordState = ["ACTIVE"]
        }
      }
    }
  }

  # CIS AWS Foundations Benchmark 3.0, section 4 (monitoring), as CloudWatch metric filters.
  cis_filters = {
    root-account-use        = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }"
    unauthorized-api-calls  = "{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }"
    console-login-no-mfa    = "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") && ($.userIdentity.type = \"IAMUser\") && ($.responseElements.ConsoleLogin = \"Success\") }"
    console-login-failures  = "{ ($.eventName = ConsoleLogin) && ($.errorMessage = \"Failed authentication\") }"
    iam-policy-changes      = "{ ($.eventSource = iam.amazonaws.com) && (($.eventName = Put*Policy) || ($.eventName = Attach*Policy) || ($.eventName = Detach*Policy) || ($.eventName = Create*Policy*) || ($.eventName = Delete*Policy*)) }"
    cloudtrail-changes      = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"
    kms-key-deletion        = "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"
    security-group-changes  = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"
    network-gateway-changes = "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"
    s3-bucket-policy-change = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketPolicy) || ($.eventName = DeleteBucketPolicy) || ($.eventName = PutBucketAcl) || ($.eventName = PutBucketPublicAccessBlock)) }"
  }
}

resource "aws_cloudwatch_event_rule" "security" {
  for_each      = local.security_event_patterns
  name          = "${var.name}-${each.key}-findings"
  description   = "High-severity ${each.key} findings to the administrators"
  event_pattern = jsonencode(each.value)
}

resource "aws_cloudwatch_event_target" "security" {
  for_each = aws_cloudwatch_event_rule.security
  rule     = each.value.name
  arn      = aws_sns_topic.security.arn
}

resource "aws_cloudwatch_log_metric_filter" "cis" {
  for_each       = local.cis_filters
  name           = "${var.name}-${each.key}"
  log_group_name = aws_cloudwatch_log_group.trail.name
  pattern        = each.value
  metric_transformation {
    name          = each.key
    namespace     = "AssetStatus/${var.name}/CIS"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "cis" {
  for_each            = local.cis_filters
  alarm_name          = "${var.name}-cis-${each.key}"
  alarm_description   = "CIS 4.x: ${each.key} seen in CloudTrail"
  namespace           = "AssetStatus/${var.name}/CIS"
  metric_name         = each.key
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = each.key == "unauthorized-api-calls" ? 10 : 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.security.arn]
  depends_on          = [aws_cloudwatch_log_metric_filter.cis]
}
