# Two kinds of roles per task:
#   execution role - used by ECS to pull the images, write logs and read the task's secrets
#   task role      - used by the application: its own documents prefix and the master key, nothing
#                    else; the worker's also writes the application's backups, and, when traces
#                    are on, the services' traces collector writes to X-Ray (see below)
# Every service has its own task role so the document and backup bucket policies can name each one.

data "aws_iam_policy_document" "tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:aws:ecs:${var.region}:${var.account_id}:*"]
    }
  }
}

# --- execution role -----------------------------------------------------------------------------

resource "aws_iam_role" "execution" {
  name               = "${var.name}-task-execution"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid     = "PullApplicationAndGuardDutyAgentImages"
    actions = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [
      aws_ecr_repository.this["app"].arn,
      "arn:aws:ecr:${var.region}:*:repository/aws-guardduty-agent-fargate",
    ]
  }
  # The traces collector (only when traces are on) through the ECR Public pull-through cache
  # (ecr.tf): pulling a digest the cache does not hold yet makes ECR import it from upstream on the
  # puller's behalf.
  dynamic "statement" {
    for_each = local.traces ? [aws_ecr_repository.this["otel_collector"].arn] : []
    content {
      sid       = "PullCollectorThroughCache"
      actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability", "ecr:BatchImportUpstreamImage"]
      resources = [statement.value]
    }
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for g in aws_cloudwatch_log_group.service : "${g.arn}:*"]
  }
  statement {
    sid       = "ReadTaskSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = values(var.secret_arns)
  }
  statement {
    sid       = "DecryptImageAndSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.data_key_arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- task roles ---------------------------------------------------------------------------------

locals {
  document_actions = {
    "read-write" = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    "read"       = ["s3:GetObject"]
    "list"       = []
    "none"       = []
  }
  task_roles = merge(
    { for k, s in var.services : k => s.documents },
    { migrate = "none" },
  )
}

resource "aws_iam_role" "task" {
  for_each           = local.task_roles
  name               = "${var.name}-${each.key}-task"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json
}

data "aws_iam_policy_document" "task" {
  for_each = local.task_roles

  statement {
    sid       = "MasterKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"]
    resources = [var.app_key_arn]
  }

  # Object reads and writes: "read-write" and "read" only.
  dynamic "statement" {
    for_each = length(local.document_actions[each.value]) == 0 ? [] : [each.value]
    content {
      sid       = "Documents"
      actions   = local.document_actions[statement.value]
      resources = ["arn:aws:s3:::${var.documents_bucket_name}/documents/*"]
    }
  }

  # Listing the documents prefix: every access level but "none". "list" alone is what the
  # document-store probe needs (one ListObjectsV2 under documents/, e.g. the worker's alert rule).
  dynamic "statement" {
    for_each = each.value == "none" ? [] : [each.value]
    content {
      sid       = "ListDocuments"
      actions   = ["s3:ListBucket"]
      resources = ["arn:aws:s3:::${var.documents_bucket_name}"]
      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = ["documents/*"]
      }
    }
  }

  # SSE-KMS of objects read or written; listing decrypts nothing, so "list" gets no key access.
  dynamic "statement" {
    for_each = length(local.document_actions[each.value]) == 0 ? [] : [each.value]
    content {
      sid       = "DocumentBucketKey"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [var.data_key_arn]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${var.region}.amazonaws.com"]
      }
    }
  }

  # Traces: the services' collector sidecar (services.tf), when traces are on, sends the spans to
  # X-Ray with the task role and may read X-Ray's sampling rules. These X-Ray actions have no
  # resource-level permissions: "*" is the only resource IAM accepts for them. The migrate task has
  # no collector and no such permission, nor has any task while traces are off.
  dynamic "statement" {
    for_each = local.traces && contains(keys(var.services), each.key) ? [each.key] : []
    content {
      sid = "WriteTraces"
      actions = [
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
      ]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "task" {
  for_each = local.task_roles
  name     = "application"
  role     = aws_iam_role.task[each.key].id
  policy   = data.aws_iam_policy_document.task[each.key].json
}

# --- application backups ------------------------------------------------------------------------

locals {
  # The services that run the worker role write the application's nightly backups.
  backup_services = toset([for k, s in var.services : k if contains(s.roles, "worker")])
  backup_bucket   = "arn:aws:s3:::${var.application_backups.bucket}"
}

# Exactly what crates/backup does with the bucket: write archives (multipart), manifests and
# escrowed keys, read them back for the test restore, delete pruned backups and the keys of
# deleted customers, abort an interrupted upload, list backups and keys. No versions: an old
# version is out of the application's reach, which keeps a deleted customer's key deleted for it.
data "aws_iam_policy_document" "application_backups" {
  statement {
    sid = "BackupObjects"
    actions = [
      "s3:PutObject",
      "s3:GetObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${local.backup_bucket}/${var.application_backups.prefix}/*"]
  }
  statement {
    sid       = "ListBackups"
    actions   = ["s3:ListBucket"]
    resources = [local.backup_bucket]
  }
  # SSE-KMS of the bucket: S3 in the DR region uses the key on the worker's behalf, nobody else.
  statement {
    sid       = "BackupBucketKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.application_backups.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.application_backups.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "application_backups" {
  for_each = local.backup_services
  name     = "application-backups"
  role     = aws_iam_role.task[each.key].name
  policy   = data.aws_iam_policy_document.application_backups.json
}
