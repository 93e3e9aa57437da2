# Delivery (X3): the GitHub Actions workflow (.github/workflows/delivery.yml) deploys with short-lived
# credentials from GitHub's OpenID Connect provider; there are no stored AWS keys. The deploy role
# trusts only jobs of this repository that run in this environment's GitHub environment, which for
# production requires a manual approval. An explicit deny keeps even the deploy role from
# switching off the audit and detection services.

resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_oidc_provider ? 1 : 0
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
  # AWS validates GitHub's tokens through its own trust store; the thumbprints are kept for older tooling.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}

data "aws_iam_policy_document" "deploy_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::${var.account_id}:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:environment:${var.github_environment}"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = "${var.name}-deploy"
  assume_role_policy   = data.aws_iam_policy_document.deploy_assume.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "deploy" {
  #checkov:skip=CKV_AWS_274:Terraform applies the whole environment (networks, IAM, KMS); the role can only be assumed by this repository's protected GitHub environment, the deny policy below fences off audit and detection, and every call is in CloudTrail.
  role       = aws_iam_role.deploy.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

data "aws_iam_policy_document" "deploy_guard_rails" {
  statement {
    sid    = "KeepAuditAndDetectionOn"
    effect = "Deny"
    actions = [
      "cloudtrail:StopLogging",
      "cloudtrail:DeleteTrail",
      "guardduty:DeleteDetector",
      "guardduty:DisassociateFromMasterAccount",
      "securityhub:DisableSecurityHub",
      "config:StopConfigurationRecorder",
      "config:DeleteConfigurationRecorder",
      "backup:DeleteBackupVaultLockConfiguration",
      "iam:CreateAccessKey",
      "iam:CreateLoginProfile",
      "organizations:LeaveOrganization",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "deploy_guard_rails" {
  name   = "guard-rails"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy_guard_rails.json
}
