# Amazon SES for the notification mails (U7, B3). The domain is verified with DKIM (2048-bit),
# a custom MAIL FROM domain aligns SPF, and DMARC tells receivers to reject forgeries (customers of a
# bank are phishing targets). The configuration set refuses delivery without TLS (O2). The tasks
# reach SES through the email-smtp interface endpoint (O7) with SMTP credentials of a send-only user.

resource "aws_sesv2_configuration_set" "this" {
  count                  = var.mock ? 0 : 1
  configuration_set_name = var.name
  delivery_options {
    tls_policy = "REQUIRE"
  }
  reputation_options {
    reputation_metrics_enabled = true
  }
  sending_options {
    sending_enabled = true
  }
  suppression_options {
    suppressed_reasons = ["BOUNCE", "COMPLAINT"]
  }
}

resource "aws_sesv2_email_identity" "domain" {
  count                  = var.mock ? 0 : 1
  email_identity         = var.mail_domain
  configuration_set_name = aws_sesv2_configuration_set.this[0].configuration_set_name
  dkim_signing_attributes {
    next_signing_key_length = "RSA_2048_BIT"
  }
}

resource "aws_route53_record" "dkim" {
  count   = var.mock ? 0 : 3
  zone_id = var.zone_id
  name    = "${aws_sesv2_email_identity.domain[0].dkim_signing_attributes[0].tokens[count.index]}._domainkey.${var.mail_domain}"
  type    = "CNAME"
  ttl     = 3600
  records = ["${aws_sesv2_email_identity.domain[0].dkim_signing_attributes[0].tokens[count.index]}.dkim.amazonses.com"]
}

resource "aws_sesv2_email_identity_mail_from_attributes" "domain" {
  count                  = var.mock ? 0 : 1
  email_identity         = aws_sesv2_email_identity.domain[0].email_identity
  mail_from_domain       = "mail.${var.mail_domain}"
  behavior_on_mx_failure = "REJECT_MESSAGE"
}

resource "aws_route53_record" "mail_from_mx" {
  zone_id = var.zone_id
  name    = "mail.${var.mail_domain}"
  type    = "MX"
  ttl     = 3600
  records = ["10 feedback-smtp.${var.region}.amazonses.com"]
}

resource "aws_route53_record" "mail_from_spf" {
  zone_id = var.zone_id
  name    = "mail.${var.mail_domain}"
  type    = "TXT"
  ttl     = 3600
  records = ["v=spf1 include:amazonses.com -all"]
}

resource "aws_route53_record" "dmarc" {
  zone_id = var.zone_id
  name    = "_dmarc.${var.mail_domain}"
  type    = "TXT"
  ttl     = 3600
  records = ["v=DMARC1; p=reject; adkim=s; aspf=s; rua=mailto:${var.dmarc_report_address}"]
}

# Send-only SMTP user. SES SMTP needs IAM user credentials; the access key is created by the
# bootstrap runbook and stored straight into the smtp-url secret, never in Terraform state.
resource "aws_iam_group" "smtp" {
  name = "${var.name}-ses-smtp"
}

data "aws_iam_policy_document" "smtp" {
  statement {
    actions   = ["ses:SendRawEmail"]
    resources = ["arn:aws:ses:${var.region}:${var.account_id}:identity/${var.mail_domain}", "arn:aws:ses:${var.region}:${var.account_id}:configuration-set/${var.name}"]
    condition {
      test     = "StringLike"
      variable = "ses:FromAddress"
      values   = ["*@${var.mail_domain}"]
    }
  }
}

resource "aws_iam_group_policy" "smtp" {
  name   = "send-mail-only"
  group  = aws_iam_group.smtp.name
  policy = data.aws_iam_policy_document.smtp.json
}

resource "aws_iam_user" "smtp" {
  #checkov:skip=CKV_AWS_273:SES SMTP authentication requires IAM user credentials; the user can only send mail from the domain and has no console access.
  name = "${var.name}-ses-smtp"
}

resource "aws_iam_user_group_membership" "smtp" {
  user   = aws_iam_user.smtp.name
  groups = [aws_iam_group.smtp.name]
}
