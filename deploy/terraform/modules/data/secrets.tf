# Secrets the tasks receive as environment variables. Terraform creates the containers only; the
# values are put by the bootstrap runbook (deploy/README.md), so no secret is ever written to
# Terraform state or to the repository.
#   database-url-app     postgres://assetstatus_app:...@<endpoint>/assetstatus?sslmode=require
#   database-url-migrate postgres://assetstatus_owner:...@<endpoint>/assetstatus?sslmode=require
#   smtp-url             smtp://<SES SMTP user>:<password>@email-smtp.<region>.amazonaws.com:587?tls=required
#   alert-webhook-url    https://<incoming webhook of the administrators' chat> (only with alert_webhook)

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:The value is a connection URL, not the JSON the AWS rotation functions expect; it is rotated by the runbook in deploy/README.md. The RDS master secret rotates automatically.
  for_each                = toset(concat(["database-url-app", "database-url-migrate", "smtp-url"], var.alert_webhook ? ["alert-webhook-url"] : []))
  name                    = "${var.name}/${each.key}"
  description             = "assetstatus ${each.key}; value set by the bootstrap runbook"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 30
}
