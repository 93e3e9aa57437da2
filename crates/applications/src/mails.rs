//! The mails an application causes: to the customer when it is received and when it is
//! decided (U7), and to the business operators' mailbox for each new submission (B3). Each
//! comes as plain text and HTML in the recipient's language, names the application only by its
//! reception number, and carries no account number or document. A customer mail greets the
//! customer by their registered name (in the body only) and closes with the bank's signature.

use platform::db::{DbError, WriteTx};
use platform::i18n::{Arg, Locale};
use platform::mail::{Addressee, Letterhead, MailLink, OutgoingMail};
use platform::outbox::Outbox;

/// Which mail.
pub(crate) enum Notice {
    /// To the customer: the application arrived.
    Received,
    /// To the customer: approved, the service is on.
    Approved,
    /// To the customer: rejected, with the reason from the list.
    Rejected { reason: String },
    /// To the customer: sent back for correction; `item` names what to correct (the reason
    /// itself stays on the site, like a rejection's note).
    Returned { item: String },
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
            Notice::Returned { .. } => "application-returned",
            Notice::NewForOperators => "application-new",
        }
    }
}

/// Builds the mail for `to`, greeting `addressee`, in `locale`; `number` is the reception number,
/// `link` where to act.
pub(crate) fn compose(
    letterhead: &Letterhead,
    notice: &Notice,
    locale: Locale,
    to: String,
    addressee: &Addressee,
    number: &str,
    link: &str,
) -> OutgoingMail {
    let mut args = vec![("number", Arg::from(number.to_owned()))];
    if let Notice::Rejected { reason } = notice {
        args.push(("reason", Arg::from(reason.clone())));
    }
    if let Notice::Returned { item } = notice {
        args.push(("item", Arg::from(item.clone())));
    }
    let key = notice.key();
    let subject = locale.t(&format!("mail-{key}-subject"));
    let body = locale.t_args(&format!("mail-{key}-body"), &args);
    let label = locale.t(&format!("mail-{key}-link"));
    letterhead.mail(
        locale,
        to,
        addressee,
        subject,
        &body,
        Some(MailLink {
            label: &label,
            url: link,
        }),
    )
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
    use testkit::mail::letterhead;

    use super::*;

    fn received(locale: Locale, addressee: &Addressee) -> OutgoingMail {
        compose(
            &letterhead(),
            &Notice::Received,
            locale,
            "taro@example.jp".into(),
            addressee,
            "0A1B-2C3D",
            "https://bank.example/application",
        )
    }

    #[test]
    fn mails_read_in_the_recipients_language_with_both_parts() {
        let ja = received(Locale::Ja, &Addressee::Named("山田 太郎".into()));
        assert!(ja.subject.contains("お申し込み"), "{}", ja.subject);
        assert!(
            ja.text.contains("0A1B-2C3D") && ja.text.contains("https://bank.example/application")
        );
        let html = ja.html.unwrap();
        assert!(html.contains("lang=\"ja\"") && html.contains("0A1B-2C3D"));
        assert!(
            html.contains("<a href=\"https://bank.example/application\"")
                && html.contains(">お申し込み状況の確認</a>"),
            "the link is the button: {html}"
        );
        let en = compose(
            &letterhead(),
            &Notice::Rejected {
                reason: "<b>unreadable</b>".into(),
            },
            Locale::En,
            "taro@example.jp".into(),
            &Addressee::Customer,
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

    #[test]
    fn customer_mails_greet_by_name_and_close_with_the_configured_signature() {
        let ja = received(Locale::Ja, &Addressee::Named("山田 太郎".into()));
        assert!(ja.text.starts_with("山田 太郎 様\n"), "{}", ja.text);
        for part in [ja.text.as_str(), ja.html.as_deref().unwrap()] {
            assert!(part.contains("山田 太郎 様"), "{part}");
            assert!(part.contains("みなと銀行 資産管理サービス窓口"), "{part}");
            assert!(part.contains("03-1234-5678"), "{part}");
            assert!(part.contains("https://www.bank.example/support/"), "{part}");
            assert!(part.contains("送信専用"), "{part}");
        }
        let html = ja.html.unwrap();
        assert!(
            html.contains("#0b4f8a") && html.contains("資産状況"),
            "{html}"
        );

        let en = received(Locale::En, &Addressee::Named("Taro Yamada".into()));
        assert!(en.text.starts_with("Dear Taro Yamada,\n"), "{}", en.text);
        for part in [en.text.as_str(), en.html.as_deref().unwrap()] {
            assert!(part.contains("Dear Taro Yamada,"), "{part}");
            assert!(part.contains("Kind regards,"), "{part}");
            assert!(
                part.contains("Minato Bank, Asset Status Service Desk"),
                "{part}"
            );
            assert!(part.contains("03-1234-5678"), "{part}");
            assert!(!part.contains("みなと銀行"), "{part}");
        }
    }

    #[test]
    fn names_are_escaped_in_html_and_a_missing_name_reads_politely() {
        let mail = received(Locale::Ja, &Addressee::Named("<script>x</script>".into()));
        let html = mail.html.unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"));
        let unnamed = received(Locale::Ja, &Addressee::Customer);
        assert!(unnamed.text.starts_with("お客さま\n"), "{}", unnamed.text);
        assert!(unnamed.html.unwrap().contains("お客さま"));
    }

    #[test]
    fn operators_are_addressed_as_a_team() {
        let mail = compose(
            &letterhead(),
            &Notice::NewForOperators,
            Locale::Ja,
            "backoffice@bank.example".into(),
            &Addressee::Operators,
            "0A1B-2C3D",
            "https://staff.bank.example/applications/1",
        );
        assert!(mail.text.starts_with("業務担当者各位\n"), "{}", mail.text);
        assert!(!mail.text.contains(" 様"), "{}", mail.text);
    }
}
