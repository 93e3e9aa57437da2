//! The mails the customer pool sends. Each reads in the customer's language and carries no
//! personal data beyond the address it goes to; links carry a single-use token.

use platform::i18n::{Arg, Locale};
use platform::mail::OutgoingMail;

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
    /// The password was changed.
    PasswordChanged,
    /// The account was deleted.
    Deleted,
    /// Too many failed logins locked the account for a while.
    Locked { minutes: i64 },
    /// Two-step verification was turned off.
    MfaDisabled,
    /// A passkey was registered: a new way into the account.
    PasskeyAdded,
    /// A passkey was deleted.
    PasskeyDeleted,
    /// A login from a browser not used before.
    NewDevice { device: String, when: String },
}

impl MailKind {
    fn name(&self) -> &'static str {
        match self {
            MailKind::Verify { .. } => "verify",
            MailKind::AlreadyRegistered { .. } => "already-registered",
            MailKind::Reset { .. } => "reset",
            MailKind::PasswordChanged => "password-changed",
            MailKind::Deleted => "deleted",
            MailKind::Locked { .. } => "locked",
            MailKind::MfaDisabled => "mfa-disabled",
            MailKind::PasskeyAdded => "passkey-added",
            MailKind::PasskeyDeleted => "passkey-deleted",
            MailKind::NewDevice { .. } => "new-device",
        }
    }

    fn compose(&self, locale: Locale, to: String) -> OutgoingMail {
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
            MailKind::PasswordChanged => (
                locale.t("mail-password-changed-subject"),
                locale.t("mail-password-changed-body"),
            ),
            MailKind::Deleted => (
                locale.t("mail-deleted-subject"),
                locale.t("mail-deleted-body"),
            ),
            MailKind::MfaDisabled => (
                locale.t("mail-mfa-disabled-subject"),
                locale.t("mail-mfa-disabled-body"),
            ),
            MailKind::PasskeyAdded => (
                locale.t("mail-passkey-added-subject"),
                locale.t("mail-passkey-added-body"),
            ),
            MailKind::PasskeyDeleted => (
                locale.t("mail-passkey-deleted-subject"),
                locale.t("mail-passkey-deleted-body"),
            ),
            MailKind::Locked { minutes } => (
                locale.t("mail-locked-subject"),
                locale.t_args("mail-locked-body", &[("minutes", Arg::from(*minutes))]),
            ),
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
        let text = format!("{text}\n\n{}\n", locale.t("mail-signature"));
        OutgoingMail::plain(to, subject, text)
    }
}

impl crate::Identity {
    /// Stores the mail in the outbox before the request answers; the worker delivers it, and
    /// keeps trying while the mail server is unreachable.
    pub(crate) async fn queue_mail(
        &self,
        kind: MailKind,
        locale: Locale,
        to: String,
    ) -> Result<(), crate::IdentityError> {
        let mail = kind.compose(locale, to);
        self.outbox.enqueue(kind.name(), &mail).await?;
        Ok(())
    }
}
