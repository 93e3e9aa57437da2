//! The mails an application causes: to the customer when it is received and when it is
//! decided (U7), and to the business operators' mailbox for each new submission (B3). Each
//! comes as plain text and HTML in the recipient's language, names the application only by its
//! reception number, and carries no account number, name or document.

use askama::Template;
use platform::db::{DbError, WriteTx};
use platform::i18n::{Arg, Locale};
use platform::mail::OutgoingMail;
use platform::outbox::Outbox;

/// Which mail.
pub(crate) enum Notice {
    /// To the customer: the application arrived.
    Received,
    /// To the customer: approved, the service is on.
    Approved,
    /// To the customer: rejected, with the reason from the list.
    Rejected { reason: String },
    /// To the operators: a new application waits.
    NewForOperators,
}

impl Notice {
    /// Names the messages in the catalogs and the outbox kind (part of the Message-ID).
    fn key(&self) -> &'static str {
        match self {
            Notice::Received => "application-received",
            Notice::Approved => "application-approved",
            Notice::Rejected { .. } => "application-rejected",
            Notice::NewForOperators => "application-new",
        }
    }
}

#[derive(Template)]
#[template(path = "mail.html")]
struct MailHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    paragraphs: Vec<&'a str>,
    link: &'a str,
    link_label: &'a str,
    signature: Vec<&'a str>,
}

/// Builds the mail for `to` in `locale`; `number` is the reception number, `link` where to act.
pub(crate) fn compose(
    notice: &Notice,
    locale: Locale,
    to: String,
    number: &str,
    link: &str,
) -> OutgoingMail {
    let mut args = vec![("number", Arg::from(number.to_owned()))];
    if let Notice::Rejected { reason } = notice {
        args.push(("reason", Arg::from(reason.clone())));
    }
    let key = notice.key();
    let subject = locale.t(&format!("mail-{key}-subject"));
    let body = locale.t_args(&format!("mail-{key}-body"), &args);
    let link_label = locale.t(&format!("mail-{key}-link"));
    let signature = locale.t("mail-signature");
    let text = format!("{body}\n\n{link_label}\n{link}\n\n{signature}\n");
    let html = MailHtml {
        lang: locale.code(),
        subject: &subject,
        paragraphs: body.split("\n\n").map(str::trim).collect(),
        link,
        link_label: &link_label,
        signature: signature.lines().filter(|l| !l.trim().is_empty()).collect(),
    }
    .render()
    .ok();
    OutgoingMail {
        to,
        subject,
        text,
        html,
    }
}

/// Queues the mail inside the caller's transaction.
pub(crate) async fn queue(
    outbox: &Outbox,
    tx: &mut WriteTx,
    notice: &Notice,
    mail: &OutgoingMail,
) -> Result<(), DbError> {
    outbox.enqueue_in(tx, notice.key(), mail).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn mails_read_in_the_recipients_language_with_both_parts() {
        let ja = compose(
            &Notice::Received,
            Locale::Ja,
            "taro@example.jp".into(),
            "0A1B-2C3D",
            "https://bank.example/application",
        );
        assert!(ja.subject.contains("お申し込み"), "{}", ja.subject);
        assert!(
            ja.text.contains("0A1B-2C3D") && ja.text.contains("https://bank.example/application")
        );
        let html = ja.html.unwrap();
        assert!(html.contains("lang=\"ja\"") && html.contains("0A1B-2C3D"));
        let en = compose(
            &Notice::Rejected {
                reason: "<b>unreadable</b>".into(),
            },
            Locale::En,
            "taro@example.jp".into(),
            "0A1B-2C3D",
            "https://bank.example/application",
        );
        assert!(en.subject.is_ascii(), "{}", en.subject);
        assert!(
            en.text.contains("<b>unreadable</b>"),
            "plain text keeps the reason as written"
        );
        let html = en.html.unwrap();
        assert!(
            html.contains("&lt;b&gt;unreadable&lt;/b&gt;") || html.contains("&#60;b&#62;"),
            "HTML escapes it: {html}"
        );
    }
}
