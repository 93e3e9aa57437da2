//! The confirmation shown after a change ("登録しました" and what comes next). A redirect after a
//! successful POST carries `?notice=<code>`; the next page shows the matching catalog message
//! above its content. Only codes listed here are shown, so a crafted link can display nothing
//! but one of the bank's own sentences.

use axum::response::Redirect;

/// A confirmation after a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A holding was added.
    AssetCreated,
    /// A holding was changed.
    AssetUpdated,
    /// A holding was deleted.
    AssetDeleted,
    /// A valuation was recorded for a holding.
    ValuationAdded,
    /// Holdings were imported from a file.
    AssetsImported,
    /// The customer's details were saved.
    ProfileSaved,
    /// The password was changed.
    PasswordChanged,
    /// Two-step login was turned on.
    TwoStepOn,
    /// Two-step login was turned off.
    TwoStepOff,
    /// A passkey was registered.
    PasskeyAdded,
    /// A passkey was deleted.
    PasskeyDeleted,
    /// A sign-in on another device was ended.
    SessionEnded,
    /// Every sign-in but this device's was ended.
    OtherSessionsEnded,
    /// The bank account for the application was saved.
    AccountSaved,
    /// An identity document was uploaded.
    DocumentUploaded,
    /// An identity document was removed.
    DocumentRemoved,
    /// The application was sent.
    ApplicationSubmitted,
    /// The name changed after an approval: the application is being reviewed again.
    NameRecheck,
}

impl Notice {
    const ALL: [Notice; 18] = [
        Notice::AssetCreated,
        Notice::AssetUpdated,
        Notice::AssetDeleted,
        Notice::ValuationAdded,
        Notice::AssetsImported,
        Notice::ProfileSaved,
        Notice::PasswordChanged,
        Notice::TwoStepOn,
        Notice::TwoStepOff,
        Notice::PasskeyAdded,
        Notice::PasskeyDeleted,
        Notice::SessionEnded,
        Notice::OtherSessionsEnded,
        Notice::AccountSaved,
        Notice::DocumentUploaded,
        Notice::DocumentRemoved,
        Notice::ApplicationSubmitted,
        Notice::NameRecheck,
    ];

    /// The code in the query string.
    pub fn code(self) -> &'static str {
        match self {
            Notice::AssetCreated => "asset-created",
            Notice::AssetUpdated => "asset-updated",
            Notice::AssetDeleted => "asset-deleted",
            Notice::ValuationAdded => "valuation-added",
            Notice::AssetsImported => "assets-imported",
            Notice::ProfileSaved => "profile-saved",
            Notice::PasswordChanged => "password-changed",
            Notice::TwoStepOn => "two-step-on",
            Notice::TwoStepOff => "two-step-off",
            Notice::PasskeyAdded => "passkey-added",
            Notice::PasskeyDeleted => "passkey-deleted",
            Notice::SessionEnded => "session-ended",
            Notice::OtherSessionsEnded => "other-sessions-ended",
            Notice::AccountSaved => "account-saved",
            Notice::DocumentUploaded => "document-uploaded",
            Notice::DocumentRemoved => "document-removed",
            Notice::ApplicationSubmitted => "application-submitted",
            Notice::NameRecheck => "name-recheck",
        }
    }

    /// Reads the `notice` value of a query string; unknown codes are ignored.
    pub fn from_query(query: Option<&str>) -> Option<Self> {
        let value = query?
            .split('&')
            .find_map(|pair| pair.strip_prefix("notice="))?;
        Self::ALL.into_iter().find(|n| n.code() == value)
    }

    /// The catalog key of the message.
    pub fn key(self) -> String {
        format!("notice-{}", self.code())
    }
}

/// A redirect to `path` that shows `notice` there.
pub fn redirect(path: &str, notice: Notice) -> Redirect {
    let joiner = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{joiner}notice={}", notice.code()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::i18n::Locale;

    #[test]
    fn codes_round_trip_and_unknown_codes_show_nothing() {
        for n in Notice::ALL {
            assert_eq!(
                Notice::from_query(Some(&format!("a=1&notice={}", n.code()))),
                Some(n)
            );
        }
        assert_eq!(Notice::from_query(Some("notice=%3Cscript%3E")), None);
        assert_eq!(Notice::from_query(Some("notice=")), None);
        assert_eq!(Notice::from_query(None), None);
    }

    #[test]
    fn every_notice_has_a_message_in_both_languages() {
        for n in Notice::ALL {
            for locale in Locale::ALL {
                assert!(
                    locale.has(&n.key()),
                    "{} has no {} message",
                    n.key(),
                    locale.code()
                );
            }
        }
    }

    #[test]
    fn the_redirect_keeps_an_existing_query() {
        let location = |r: Redirect| {
            axum::response::IntoResponse::into_response(r).headers()["location"]
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(
            location(redirect("/assets", Notice::AssetCreated)),
            "/assets?notice=asset-created"
        );
        assert_eq!(
            location(redirect("/x?y=1", Notice::AssetDeleted)),
            "/x?y=1&notice=asset-deleted"
        );
    }
}
