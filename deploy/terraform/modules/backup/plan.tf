# Daily backup of the customer data (O1): the database and the document bucket at 03:00 JST,
# kept for retention_days, and copied to the DR vault in the other region (X2). Credentials need
# no backup, but they live in the same database and are covered anyway (argon2id hashes only).
# Every week AWS Backup restores the latest database recovery point into a throw-away instance
# to prove the backups restore. Failed jobs notify the administrators.

data "aws_iam_policy_document" "backup_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "backup" {
  name               = "${var.name}-backup"
  assume_role_policy = data.aws_iam_policy_document.backup_assume.json
}

resource "aws_iam_role_policy_attachment" "backup" {
  for_each = toset([
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
  ])
  role       = aws_iam_role.backup.name
  policy_arn = each.value
}

resource "aws_backup_plan" "daily" {
  name = "${var.name}-daily"

  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.primary.name
    schedule          = var.schedule
    start_window      = 60
    completion_window = 480

    lifecycle {
      delete_after = var.retention_days
    }

    copy_action {
      destination_vault_arn = aws_backup_vault.dr.arn
      lifecycle {
        delete_after = var.dr_retention_days
      }
    }

    recovery_point_tags = { Plan = "${var.name}-daily" }
  }
}

resource "aws_backup_selection" "customer_data" {
  count        = var.mock ? 0 : 1
  name         = "customer-data"
  plan_id      = aws_backup_plan.daily.id
  iam_role_arn = aws_iam_role.backup.arn
  resources    = [var.db_instance_arn, var.documents_bucket.arn]
}

resource "aws_backup_restore_testing_plan" "weekly" {
  count                        = var.restore_test && !var.mock ? 1 : 0
  name                         = replace("${var.name}_weekly", "-", "_")
  schedule_expression          = "cron(0 20 ? * SUN *)"
  schedule_expression_timezone = "Asia/Tokyo"
  start_window_hours           = 24

  recovery_point_selection {
    algorithm             = "LATEST_WITHIN_WINDOW"
    include_vaults        = [aws_backup_vault.primary.arn]
    recovery_point_types  = ["SNAPSHOT"]
    selection_window_days = 7
  }
}

resource "aws_backup_restore_testing_selection" "database" {
  count                     = var.restore_test && !var.mock ? 1 : 0
  name                      = "database"
  restore_testing_plan_name = aws_backup_restore_testing_plan.weekly[0].name
  protected_resource_type   = "RDS"
  protected_resource_arns   = [var.db_instance_arn]
  iam_role_arn              = aws_iam_role.backup.arn
  validation_window_hours   = 2
  restore_metadata_overrides = {
    dbsubnetgroupname   = var.db_subnet_group_name
    vpcsecuritygroupids = jsonencode([var.db_security_group_id])
    multiaz             = "false"
  }
}

# Failed backup, copy and restore-test jobs reach the administrators.
resource "aws_cloudwatch_event_rule" "backup_failures" {
  name        = "${var.name}-backup-failures"
  description = "Failed AWS Backup jobs"
  event_pattern = jsonencode({
    source        = ["aws.backup"]
    "detail-type" = ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"]
    detail        = { state = ["FAILED", "ABORTED", "EXPIRED"] }
  })
}

resource "aws_cloudwatch_event_target" "backup_failures" {
  rule = aws_cloudwatch_event_rule.backup_failures.name
  arn  = var.ops_topic_arn
}
