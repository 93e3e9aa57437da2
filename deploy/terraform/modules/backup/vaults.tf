# Backup vaults in the primary and the DR region, each with its own customer-managed key and a
# vault lock, so that neither a mistake nor a compromised administrator can delete the recovery
# points before their time (O1, X2). The application master key gets a replica in the DR region:
# without it, data restored there could not be decrypted.

data "aws_iam_policy_document" "backup_key" {
  #checkov:skip=CKV_AWS_109:Key policy; "*" means this key, and only this account is trusted.
  #checkov:skip=CKV_AWS_111:Key policy; "*" means this key, and only this account is trusted.
  #checkov:skip=CKV_AWS_356:Key policy; "*" means this key, and only this account is trusted.
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

resource "aws_kms_key" "vault" {
  description             = "${var.name} backup vault"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.key_deletion_window_days
  policy                  = data.aws_iam_policy_document.backup_key.json
}

resource "aws_kms_alias" "vault" {
  name          = "alias/${var.name}-backup"
  target_key_id = aws_kms_key.vault.key_id
}

resource "aws_kms_key" "dr" {
  provider                = aws.dr
  description             = "${var.name} DR region: backup vault and document replica"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.key_deletion_window_days
  policy                  = data.aws_iam_policy_document.backup_key.json
}

resource "aws_kms_alias" "dr" {
  provider      = aws.dr
  name          = "alias/${var.name}-dr"
  target_key_id = aws_kms_key.dr.key_id
}

resource "aws_kms_replica_key" "app" {
  count                   = var.mock ? 0 : 1
  provider                = aws.dr
  description             = "${var.name} application master key (replica for restores in the DR region)"
  primary_key_arn         = var.app_key_arn
  deletion_window_in_days = var.key_deletion_window_days
  policy                  = data.aws_iam_policy_document.backup_key.json
}

# Same alias as in the primary region, so the application's key setting works unchanged after a
# restore in the DR region.
resource "aws_kms_alias" "app_replica" {
  count         = var.mock ? 0 : 1
  provider      = aws.dr
  name          = var.app_key_alias
  target_key_id = aws_kms_replica_key.app[0].key_id
}

resource "aws_backup_vault" "primary" {
  name        = var.name
  kms_key_arn = aws_kms_key.vault.arn
}

resource "aws_backup_vault" "dr" {
  provider    = aws.dr
  name        = "${var.name}-dr"
  kms_key_arn = aws_kms_key.dr.arn
}

resource "aws_backup_vault_lock_configuration" "primary" {
  count               = var.mock ? 0 : 1
  backup_vault_name   = aws_backup_vault.primary.name
  min_retention_days  = 7
  max_retention_days  = 400
  changeable_for_days = var.vault_lock_mode == "COMPLIANCE" ? 3 : null
}

resource "aws_backup_vault_lock_configuration" "dr" {
  count               = var.mock ? 0 : 1
  provider            = aws.dr
  backup_vault_name   = aws_backup_vault.dr.name
  min_retention_days  = 7
  max_retention_days  = 400
  changeable_for_days = var.vault_lock_mode == "COMPLIANCE" ? 3 : null
}
