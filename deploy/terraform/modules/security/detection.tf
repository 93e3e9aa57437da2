# Threat and vulnerability detection (A3, O4, X4):
#   GuardDuty     - threats in the account, S3 data access, RDS logins, runtime of Fargate tasks
#   Inspector     - continuous CVE scanning of the container images in ECR
#   Security Hub  - one place for all findings, scored against AWS FSBP and CIS benchmarks
#   Access Analyzer - resources shared outside the account
# Findings of severity high and above reach the administrators through the security topic.

resource "aws_guardduty_detector" "this" {
  #checkov:skip=CKV2_AWS_3:Each environment is its own account with its own detector; an organisation-wide delegated administrator belongs to the bank's landing zone (docs/architecture.md, X6).
  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"
}

resource "aws_guardduty_detector_feature" "s3" {
  detector_id = aws_guardduty_detector.this.id
  name        = "S3_DATA_EVENTS"
  status      = "ENABLED"
}

resource "aws_guardduty_detector_feature" "rds" {
  detector_id = aws_guardduty_detector.this.id
  name        = "RDS_LOGIN_EVENTS"
  status      = "ENABLED"
}

# Runtime monitoring: GuardDuty injects its agent as a sidecar into every Fargate task and manages
# the guardduty-data VPC endpoint it reports through.
resource "aws_guardduty_detector_feature" "runtime" {
  detector_id = aws_guardduty_detector.this.id
  name        = "RUNTIME_MONITORING"
  status      = "ENABLED"
  additional_configuration {
    name   = "ECS_FARGATE_AGENT_MANAGEMENT"
    status = "ENABLED"
  }
}

resource "aws_inspector2_enabler" "this" {
  account_ids    = [var.account_id]
  resource_types = ["ECR"]
}

resource "aws_securityhub_account" "this" {
  enable_default_standards  = false
  control_finding_generator = "SECURITY_CONTROL"
  auto_enable_controls      = true
}

resource "aws_securityhub_standards_subscription" "this" {
  for_each = toset([
    "arn:aws:securityhub:${var.region}::standards/aws-foundational-security-best-practices/v/1.0.0",
    "arn:aws:securityhub:${var.region}::standards/cis-aws-foundations-benchmark/v/3.0.0",
  ])
  standards_arn = each.value
  depends_on    = [aws_securityhub_account.this]
}

resource "aws_accessanalyzer_analyzer" "this" {
  analyzer_name = var.name
  type          = "ACCOUNT"
}

# --- Account-wide guard rails -------------------------------------------------------------------

resource "aws_s3_account_public_access_block" "this" {
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}

resource "aws_ebs_default_kms_key" "this" {
  key_arn = aws_kms_key.data.arn
}

resource "aws_iam_account_password_policy" "this" {
  minimum_password_length        = 14
  require_lowercase_characters   = true
  require_uppercase_characters   = true
  require_numbers                = true
  require_symbols                = true
  allow_users_to_change_password = true
  max_password_age               = 90
  password_reuse_prevention      = 24
}
