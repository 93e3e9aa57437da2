//! The mails the customer pool sends. Each reads in the customer's language, opens with the
//! customer's registered name and closes with the bank's signature; beyond the address and that
//! greeting it carries no personal data, and links carry a single-use token.

use platform::i18n::{Arg, Locale};
use platform::mail::{Addressee, Letterhead, MailLink, OutgoingMail};
use sqlx::AnyConnection;

use crate::store::{self, CustomerStatus};

/// Which mail to send.
pub(crate) enum MailKind {
    /// Confirm the address given at sign-up.
    Verify { link: String },
    /// Someone signed up with an address that already has an account.
    AlreadyRegistered {
        login_link: String,
        reset_link: String,
    },
    /// A password reset was requested.
    Reset { link: String },
    /// The account was deleted.
    Deleted,
    /// Too many failed logins locked the account for a while.
    Locked { minutes: i64 },
    /// Too many wrong answers for one factor (second-factor codes, or the current password
    /// asked again while signed in) locked that factor for a while.
    FactorLocked {
        factor: crate::throttle::Factor,
        minutes: i64,
    },
    /// A way into the account was added, removed or changed; `not_me` undoes it.
    FactorChanged {
        change: FactorChange,
        not_me: String,
    },
    /// A password reset suspended factors added shortly before it; `keep` restores them.
    FactorsSuspended { keep: String },
    /// A login from a browser not used before.
    NewDevice { device: String, when: String },
}

/// What changed about the ways into an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FactorChange {
    /// The password was changed or reset.
    PasswordChanged,
    /// Two-step verification was turned on.
    MfaEnabled,
    /// Two-step verification was turned off.
    MfaDisabled,
    /// A passkey was registered: a new way into the account.
    PasskeyAdded,
    /// A passkey was deleted.
    PasskeyDeleted,
}

impl FactorChange {
    fn name(self) -> &'static str {
        match self {
            FactorChange::PasswordChanged => "password-changed",
            FactorChange::MfaEnabled => "mfa-enabled",
            FactorChange::MfaDisabled => "mfa-disabled",
            FactorChange::PasskeyAdded => "passkey-added",
            FactorChange::PasskeyDeleted => "passkey-deleted",
        }
    }
}

impl MailKind {
    /// The catalog name of the button: every factor notice offers the same "not me" link.
    fn link_name(&self) -> &'static str {
        match self {
            MailKind::FactorChanged { .. } => "not-me",
            other => other.name(),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            MailKind::Verify { .. } => "verify",
            MailKind::AlreadyRegistered { .. } => "already-registered",
            MailKind::Reset { .. } => "reset",
            MailKind::Deleted => "deleted",
            MailKind::Locked { .. } => "locked",
            MailKind::FactorLocked { .. } => "factor-locked",
            MailKind::FactorChanged { change, .. } => change.name(),
            MailKind::FactorsSuspended { .. } => "factors-suspended",
            MailKind::NewDevice { .. } => "new-device",
        }
    }

    /// The link the mail asks the reader to open, offered as the HTML part's button: the one
    /// that confirms, resets or logs in. Notices without a step to take have none.
    fn primary_link(&self) -> Option<&str> {
        match self {
            MailKind::Verify { link } | MailKind::Reset { link } => Some(link),
            MailKind::AlreadyRegistered { login_link, .. } => Some(login_link),
            MailKind::FactorChanged { not_me, .. } => Some(not_me),
            MailKind::FactorsSuspended { keep } => Some(keep),
            MailKind::Deleted
            | MailKind::Locked { .. }
            | MailKind::FactorLocked { .. }
            | MailKind::NewDevice { .. } => None,
        }
    }

    /// Both parts of the mail, from the same catalog text.
    fn compose(
        &self,
        letterhead: &Letterhead,
        locale: Locale,
        to: String,
        addressee: &Addressee,
    ) -> OutgoingMail {
        let link = |l: &String| [("link", Arg::from(l.clone()))];
        let (subject, text) = match self {
            MailKind::Verify { link: l } => (
                locale.t("mail-verify-subject"),
                locale.t_args("mail-verify-body", &link(l)),
            ),
            MailKind::AlreadyRegistered {
                login_link,
                reset_link,
            } => (
                locale.t("mail-already-registered-subject"),
                locale.t_args(
                    "mail-already-registered-body",
                    &[
                        ("login", Arg::from(login_link.clone())),
                        ("reset", Arg::from(reset_link.clone())),
                    ],
                ),
            ),
            MailKind::Reset { link: l } => (
                locale.t("mail-reset-subject"),
                locale.t_args("mail-reset-body", &link(l)),
            ),
            MailKind::FactorChanged { change, not_me } => (
                locale.t(&format!("mail-{}-subject", change.name())),
                locale.t_args(&format!("mail-{}-body", change.name()), &link(not_me)),
            ),
            MailKind::FactorsSuspended { keep } => (
                locale.t("mail-factors-suspended-subject"),
                locale.t_args("mail-factors-suspended-body", &link(keep)),
            ),
            MailKind::Deleted => (
                locale.t("mail-deleted-subject"),
                locale.t("mail-deleted-body"),
            ),
            MailKind::Locked { minutes } => (
                locale.t("mail-locked-subject"),
                locale.t_args("mail-locked-body", &[("minutes", Arg::from(*minutes))]),
            ),
            MailKind::FactorLocked { factor, minutes } => {
                let name = match factor {
                    crate::throttle::Factor::Code => "code-locked",
                    crate::throttle::Factor::Password => "password-check-locked",
                };
                (
                    locale.t(&format!("mail-{name}-subject")),
                    locale.t_args(
                        &format!("mail-{name}-body"),
                        &[("minutes", Arg::from(*minutes))],
                    ),
                )
            }
            MailKind::NewDevice { device, when } => (
                locale.t("mail-new-device-subject"),
                locale.t_args(
                    "mail-new-device-body",
                    &[
                        ("device", Arg::from(device.clone())),
                        ("when", Arg::from(when.clone())),
                    ],
                ),
            ),
        };
        let url = self.primary_link();
        let label = url.map(|_| locale.t(&format!("mail-{}-link", self.link_name())));
        let link = url
            .zip(label.as_deref())
            .map(|(url, label)| MailLink { label, url });
        letterhead.mail(locale, to, addressee, subject, &text, link)
    }
}

impl crate::Identity {
    /// Stores the mail in the outbox inside the caller's transaction, so that the change and
    /// its notice commit together: a crash between them can lose neither alone. The worker
    /// delivers it, and keeps trying while the mail server is unreachable; the caller wakes the
    /// outbox after committing. The greeting names the customer registered at `to`, looked up
    /// here so that every caller gets it the same way.
    pub(crate) async fn queue_mail_in(
        &self,
        tx: &mut platform::db::WriteTx,
        kind: MailKind,
        locale: Locale,
        to: String,
    ) -> Result<(), crate::IdentityError> {
        let addressee = Addressee::customer(self.registered_name(tx, &to).await?.as_deref());
        let mail = kind.compose(self.outbox.letterhead(), locale, to, &addressee);
        self.outbox.enqueue_in(tx, kind.name(), &mail).await?;
        Ok(())
    }

    /// The name the holder of `address` registered, for the greeting. `None` while the address
    /// is unconfirmed: until then the name is whatever the person signing up typed, and a
    /// greeting must not let anyone put words of their choosing into mail to someone else's
    /// address. `None` too once the account is deleted and its key destroyed.
    async fn registered_name(
        &self,
        conn: &mut AnyConnection,
        address: &str,
    ) -> Result<Option<String>, crate::IdentityError> {
        let index = self.keyring.email_index(address);
        let Some(row) = store::customer_by_email(conn, &index).await? else {
            return Ok(None);
        };
        if row.status == CustomerStatus::Unverified {
            return Ok(None);
        }
        let Some(key) = self.keyring.customer_key(conn, row.id).await? else {
            return Ok(None);
        };
        crate::profile::open(&key, row.id, "name_kanji", &row.name_kanji_enc).map(Some)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use testkit::mail::letterhead;

    use super::*;

    #[test]
    fn every_mail_opens_with_the_greeting_and_closes_with_the_signature() {
        let kinds = [
            MailKind::Verify {
                link: "https://bank.example/verify/t".into(),
            },
            MailKind::AlreadyRegistered {
                login_link: "https://bank.example/login".into(),
                reset_link: "https://bank.example/password/forgot".into(),
            },
            MailKind::Reset {
                link: "https://bank.example/password/reset/t".into(),
            },
            MailKind::Deleted,
            MailKind::Locked { minutes: 15 },
            MailKind::FactorLocked {
                factor: crate::throttle::Factor::Code,
                minutes: 30,
            },
            MailKind::FactorLocked {
                factor: crate::throttle::Factor::Password,
                minutes: 30,
            },
            MailKind::FactorsSuspended {
                keep: "https://bank.example/security/keep/t".into(),
            },
            MailKind::NewDevice {
                device: "Firefox / Linux".into(),
                when: "2026-12-07 09:00".into(),
            },
        ];
        let changes = [
            FactorChange::PasswordChanged,
            FactorChange::MfaEnabled,
            FactorChange::MfaDisabled,
            FactorChange::PasskeyAdded,
            FactorChange::PasskeyDeleted,
        ];
        let kinds = kinds
            .into_iter()
            .chain(changes.map(|change| MailKind::FactorChanged {
                change,
                not_me: "https://bank.example/security/not-me/t".into(),
            }));
        let head = letterhead();
        let named = Addressee::Named("山田 太郎".into());
        for kind in kinds {
            let ja = kind.compose(&head, Locale::Ja, "taro@example.jp".into(), &named);
            assert!(ja.text.starts_with("山田 太郎 様\n\n"), "{}", ja.text);
            assert!(
                ja.text.contains("みなと銀行 資産管理サービス窓口"),
                "{}",
                ja.text
            );
            assert!(ja.text.contains("03-1234-5678"), "{}", ja.text);
            assert!(
                !ja.subject.contains("山田"),
                "the name stays out of the subject"
            );
            let en = kind.compose(&head, Locale::En, "taro@example.jp".into(), &named);
            assert!(en.text.starts_with("Dear 山田 太郎,\n\n"), "{}", en.text);
            assert!(en.text.contains("Kind regards,"), "{}", en.text);
            assert!(en.text.contains("Minato Bank"), "{}", en.text);
            assert!(!en.text.contains("みなと銀行"), "{}", en.text);
            for (mail, greeting) in [(&ja, "山田 太郎 様"), (&en, "Dear 山田 太郎,")] {
                let html = mail.html.as_deref().unwrap();
                assert!(html.contains(&format!(">{greeting}</p>")), "{html}");
                assert!(html.contains("03-1234-5678"), "{html}");
                assert!(html.contains("https://www.bank.example/support/"), "{html}");
                // The signature's address is a link in every mail; only a step to take adds a button.
                let buttons = html.matches("<a href=").count() - 1;
                assert_eq!(
                    buttons,
                    usize::from(kind.primary_link().is_some()),
                    "{html}"
                );
            }
            assert!(
                ja.html
                    .as_deref()
                    .unwrap()
                    .contains("みなと銀行 資産管理サービス窓口")
            );
        }
    }

    #[test]
    fn the_verification_link_is_the_button_in_place_of_its_paragraph() {
        let url = "https://bank.example/verify/t0k3n";
        let mail = MailKind::Verify { link: url.into() }.compose(
            &letterhead(),
            Locale::Ja,
            "taro@example.jp".into(),
            &Addressee::Customer,
        );
        assert_eq!(mail.text.matches(url).count(), 1, "{}", mail.text);
        let html = mail.html.unwrap();
        assert!(html.contains(">お客さま</p>"), "{html}");
        let button = html
            .find(&format!("<a href=\"{url}\""))
            .expect("the button");
        assert!(html.contains(">メールアドレスを確認する</a>"), "{html}");
        // Once on the button, once beneath it for mail programs that hide buttons; not again as
        // a paragraph of its own.
        assert_eq!(html.matches(url).count(), 2, "{html}");
        let (lead, after) = (
            html.find("以下のリンクを開き").unwrap(),
            html.find("お心当たりのない場合").unwrap(),
        );
        assert!(lead < button && button < after, "{html}");
    }

    #[test]
    fn the_already_registered_mail_offers_the_login_and_keeps_the_reset_link_in_its_text() {
        let mail = MailKind::AlreadyRegistered {
            login_link: "https://bank.example/login".into(),
            reset_link: "https://bank.example/password/forgot".into(),
        }
        .compose(
            &letterhead(),
            Locale::En,
            "taro@example.jp".into(),
            &Addressee::Named("Taro".into()),
        );
        let html = mail.html.unwrap();
        assert!(
            html.contains("<a href=\"https://bank.example/login\"") && html.contains(">Log in</a>"),
            "{html}"
        );
        assert!(
            html.contains("https://bank.example/password/forgot"),
            "{html}"
        );
        assert!(!html.contains("<a href=\"https://bank.example/password/forgot\""));
    }

    #[test]
    fn a_notice_without_a_link_has_no_button_and_escapes_the_name() {
        let mail = MailKind::Deleted.compose(
            &letterhead(),
            Locale::Ja,
            "taro@example.jp".into(),
            &Addressee::Named("<script>alert(1)</script>".into()),
        );
        assert!(
            mail.text.starts_with("<script>alert(1)</script> 様\n"),
            "{}",
            mail.text
        );
        let html = mail.html.unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62; 様")
                || html.contains("&lt;script&gt;alert(1)&lt;/script&gt; 様"),
            "{html}"
        );
        assert!(html.contains("退会のお手続きが完了しました。"), "{html}");
        assert_eq!(
            html.matches("<a href=").count(),
            1,
            "the signature's only: {html}"
        );
        assert!(!html.contains("border-radius:4px"), "no button: {html}");
    }

    #[test]
    fn every_factor_notice_offers_the_not_me_link_as_its_button() {
        let url = "https://bank.example/security/not-me/t0k3n";
        for (locale, label) in [
            (Locale::Ja, ">心当たりがないことを報告する</a>"),
            (Locale::En, ">Report that this was not me</a>"),
        ] {
            let mail = MailKind::FactorChanged {
                change: FactorChange::MfaEnabled,
                not_me: url.into(),
            }
            .compose(
                &letterhead(),
                locale,
                "taro@example.jp".into(),
                &Addressee::Customer,
            );
            assert_eq!(mail.text.matches(url).count(), 1, "{}", mail.text);
            let html = mail.html.unwrap();
            assert!(html.contains(&format!("<a href=\"{url}\"")), "{html}");
            assert!(html.contains(label), "{html}");
        }
    }

    #[test]
    fn a_code_lock_notice_says_the_password_alone_is_not_enough_and_to_reset_it() {
        let kind = MailKind::FactorLocked {
            factor: crate::throttle::Factor::Code,
            minutes: 30,
        };
        let named = Addressee::Named("山田 太郎".into());
        let ja = kind.compose(&letterhead(), Locale::Ja, "taro@example.jp".into(), &named);
        assert!(
            ja.subject
                .contains("確認コードの入力を一時的に制限しました")
        );
        for part in [
            "30分間",
            "パスワードだけではログインできません",
            "パスワードを再設定",
        ] {
            assert!(ja.text.contains(part), "{part}: {}", ja.text);
        }
        let en = kind.compose(&letterhead(), Locale::En, "taro@example.jp".into(), &named);
        for part in [
            "30 minutes",
            "password alone is not enough",
            "reset your password",
        ] {
            assert!(en.text.contains(part), "{part}: {}", en.text);
        }
        let password = MailKind::FactorLocked {
            factor: crate::throttle::Factor::Password,
            minutes: 30,
        }
        .compose(&letterhead(), Locale::Ja, "taro@example.jp".into(), &named);
        assert!(
            password
                .subject
                .contains("パスワードの確認を一時的に制限しました")
        );
        assert_ne!(password.text, ja.text);
    }

    #[test]
    fn an_unknown_customer_is_greeted_as_okyakusama() {
        let mail = MailKind::Verify {
            link: "https://bank.example/verify/t".into(),
        }
        .compose(
            &letterhead(),
            Locale::Ja,
            "taro@example.jp".into(),
            &Addressee::Customer,
        );
        assert!(mail.text.starts_with("お客さま\n"), "{}", mail.text);
        assert!(mail.text.contains("https://bank.example/verify/t"));
    }
}
