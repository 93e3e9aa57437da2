# The application's own backups (crates/backup, O1 and X2). Every night the worker writes one
# sealed archive per backup and one escrow object per customer to this bucket in the DR region:
#
#   <prefix>/<backup>/archive, <prefix>/<backup>/manifest   the application prunes them itself
#                                                           (7 daily, 4 weekly, 12 monthly)
#   <prefix>/keys/<customer>                                the customer's data key, wrapped by the
#                                                           master key
#
# Crypto-shredding: when a customer is deleted, the next backup deletes keys/<customer>, and from
# then on no archive, however old, can open that customer's data. On a versioned bucket the delete
# only adds a delete marker, so the lifecycle below removes noncurrent versions under keys/ after
# one day; with a longer lifetime the "deleted" key would still be one GetObjectVersion away.
#
# Object Lock is deliberately NOT enabled (it can never be switched off once on): it would keep
# every version of keys/<customer> for the retention period, so deleting a customer would no
# longer make the old archives unreadable. The copies are protected instead by versioning (a
# deleted or overwritten archive stays recoverable for application_backup_noncurrent_days), by the
# bucket policy (only the worker's role may touch objects) and by the AWS Backup vaults, which
# keep their own locked copies of the database.
#
# This bucket must never be selected by AWS Backup nor replicated: either would keep copies of
# the escrowed keys beyond a customer's deletion (deploy/tests: crypto_shredding_survives_versioning).

locals {
  # Key prefix of everything the application writes (ASSETSTATUS_BACKUP__S3__PREFIX).
  application_backup_prefix = "backups"
}

resource "aws_kms_key" "application_backups" {
  provider                = aws.dr
  description             = "${var.name} application backups (DR region)"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = var.key_deletion_window_days
  policy                  = data.aws_iam_policy_document.backup_key.json
}

resource "aws_kms_alias" "application_backups" {
  provider      = aws.dr
  name          = "alias/${var.name}-application-backups"
  target_key_id = aws_kms_key.application_backups.key_id
}

resource "aws_s3_bucket" "application_backups" {
  #checkov:skip=CKV_AWS_144:This bucket is itself the remote copy (DR region); replicating it would keep escrowed customer keys after the customer's deletion.
  #checkov:skip=CKV_AWS_18:Server access logs would need an SSE-S3 target bucket; every object read, write and delete is recorded by CloudTrail data events (modules/security).
  #checkov:skip=CKV2_AWS_62:Written only by the worker; a failed or missing backup raises the application's backup alert instead.
  provider = aws.dr
  bucket   = "${var.name}-app-backups-${var.account_id}"
  # See the header: Object Lock would defeat crypto-shredding of deleted customers.
  object_lock_enabled = false
}

resource "aws_s3_bucket_ownership_controls" "application_backups" {
  provider = aws.dr
  bucket   = aws_s3_bucket.application_backups.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "application_backups" {
  provider                = aws.dr
  bucket                  = aws_s3_bucket.application_backups.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "application_backups" {
  provider = aws.dr
  bucket   = aws_s3_bucket.application_backups.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "application_backups" {
  provider = aws.dr
  bucket   = aws_s3_bucket.application_backups.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.application_backups.arn
    }
    bucket_key_enabled = true
  }
}

# Two rules; where both apply (keys/), S3 honours the shorter noncurrent expiration.
resource "aws_s3_bucket_lifecycle_configuration" "application_backups" {
  provider = aws.dr
  bucket   = aws_s3_bucket.application_backups.id

  # A deleted customer's escrowed key must really go: its noncurrent version expires after a day.
  rule {
    id     = "shred-deleted-customer-keys"
    status = "Enabled"
    filter {
      prefix = "${local.application_backup_prefix}/keys/"
    }
    noncurrent_version_expiration {
      noncurrent_days = var.application_backup_key_noncurrent_days
    }
  }

  # Archives follow the application's retention (it deletes them); what it deleted stays
  # recoverable for a few days, then goes. Delete markers left alone are removed, and parts of
  # uploads a crash interrupted are aborted.
  rule {
    id     = "expire-pruned-backups"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.application_backup_noncurrent_days
    }
    expiration {
      expired_object_delete_marker = true
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.application_backups]
}

data "aws_iam_policy_document" "application_backups_bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.application_backups.arn, "${aws_s3_bucket.application_backups.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid       = "DenyOldTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.application_backups.arn, "${aws_s3_bucket.application_backups.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
  statement {
    sid       = "DenyOtherKeys"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.application_backups.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringNotEqualsIfExists"
      variable = "s3:x-amz-server-side-encryption-aws-kms-key-id"
      values   = [aws_kms_key.application_backups.arn]
    }
  }
  # Nobody but the backup writer (the worker's task role) reads, writes, deletes or lists, not
  # even administrators or the deploy role: the archives hold every customer's data. A restore
  # runs with the worker's role; a restore from elsewhere needs a reviewed change of this list.
  # S3 Lifecycle is not subject to bucket policies, so expiration keeps working.
  statement {
    sid    = "OnlyTheBackupWriter"
    effect = "Deny"
    actions = [
      "s3:GetObject*",
      "s3:PutObject*",
      "s3:DeleteObject*",
      "s3:RestoreObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
      "s3:ListBucket",
      "s3:ListBucketVersions",
      "s3:ListBucketMultipartUploads",
    ]
    resources = [aws_s3_bucket.application_backups.arn, "${aws_s3_bucket.application_backups.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringNotLike"
      variable = "aws:PrincipalArn"
      values   = var.application_backup_writer_role_arns
    }
  }
}

resource "aws_s3_bucket_policy" "application_backups" {
  provider   = aws.dr
  bucket     = aws_s3_bucket.application_backups.id
  policy     = data.aws_iam_policy_document.application_backups_bucket.json
  depends_on = [aws_s3_bucket_public_access_block.application_backups]
}
