//! The states an application moves through, the sides of an identity document, and the reasons
//! a rejection can give.

use platform::i18n::Locale;

/// Where an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Being filled in by the customer; only they see it.
    Draft,
    /// Sent to the bank, waiting for an operator.
    Submitted,
    /// An operator is looking at it.
    UnderReview,
    /// Sent back to the customer to correct the account or send a document again; open.
    Returned,
    /// Approved: the premium service is on.
    Approved,
    /// Rejected with a reason; the customer may apply again.
    Rejected,
}

impl Status {
    /// Every state, in the order an application passes through them.
    pub const ALL: [Status; 6] = [
        Status::Draft,
        Status::Submitted,
        Status::UnderReview,
        Status::Returned,
        Status::Approved,
        Status::Rejected,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::UnderReview => "under_review",
            Status::Returned => "returned",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Open applications block a new one: a customer has at most one.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Draft | Status::Submitted | Status::UnderReview | Status::Returned
        )
    }

    /// The customer may change it: a draft, or an application sent back for correction.
    pub fn is_editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }

    /// Approved or rejected: nothing more happens to it.
    pub fn is_decided(self) -> bool {
        matches!(self, Status::Approved | Status::Rejected)
    }

    /// States from which an operator may decide.
    pub const DECIDABLE: [Status; 2] = [Status::Submitted, Status::UnderReview];

    /// The state's name in `locale`.
    pub fn label(self, locale: Locale) -> String {
        locale.t(&format!(
            "application-status-{}",
            self.code().replace('_', "-")
        ))
    }
}

/// Which side of the identity document an image shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The front, with the photo: required.
    Front,
    /// The back (address changes are written there): optional.
    Back,
}

impl Side {
    /// Both sides, front first.
    pub const ALL: [Side; 2] = [Side::Front, Side::Back];

    /// The stored and submitted code.
    pub fn code(self) -> &'static str {
        match self {
            Side::Front => "front",
            Side::Back => "back",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The side's name in `locale`.
    pub fn label(self, locale: Locale) -> String {
        locale.t(&format!("application-side-{}", self.code()))
    }
}

/// What an operator sends back for correction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReturnedItem {
    /// One side of the identity document: the customer uploads it again.
    Document(Side),
    /// The bank account: the customer corrects it.
    Account,
}

impl ReturnedItem {
    /// Every item, in the order offered.
    pub const ALL: [ReturnedItem; 3] = [
        ReturnedItem::Document(Side::Front),
        ReturnedItem::Document(Side::Back),
        ReturnedItem::Account,
    ];

    /// The stored and submitted code.
    pub fn code(self) -> &'static str {
        match self {
            ReturnedItem::Document(side) => side.code(),
            ReturnedItem::Account => "account",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.code() == code)
    }

    /// The item's name in `locale`.
    pub fn label(self, locale: Locale) -> String {
        locale.t(&format!("application-returned-item-{}", self.code()))
    }
}

/// Why an application was rejected: a fixed list, so the customer is told in their language
/// what to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectionReason {
    /// The image is blurred, cut off or too dark to read.
    DocumentUnreadable,
    /// The document is expired or not one the bank accepts.
    DocumentNotAccepted,
    /// The name or date of birth differs from the registration.
    DetailsMismatch,
    /// The bank account could not be confirmed.
    AccountNotConfirmed,
    /// Something else, explained in the note.
    Other,
}

impl RejectionReason {
    /// Every reason, in the order offered.
    pub const ALL: [RejectionReason; 5] = [
        RejectionReason::DocumentUnreadable,
        RejectionReason::DocumentNotAccepted,
        RejectionReason::DetailsMismatch,
        RejectionReason::AccountNotConfirmed,
        RejectionReason::Other,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            RejectionReason::DocumentUnreadable => "document_unreadable",
            RejectionReason::DocumentNotAccepted => "document_not_accepted",
            RejectionReason::DetailsMismatch => "details_mismatch",
            RejectionReason::AccountNotConfirmed => "account_not_confirmed",
            RejectionReason::Other => "other",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The reason as the customer reads it.
    pub fn label(self, locale: Locale) -> String {
        locale.t(&format!("rejection-{}", self.code().replace('_', "-")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
        }
        for s in Side::ALL {
            assert_eq!(Side::from_code(s.code()), Some(s));
        }
        for r in RejectionReason::ALL {
            assert_eq!(RejectionReason::from_code(r.code()), Some(r));
        }
        for i in ReturnedItem::ALL {
            assert_eq!(ReturnedItem::from_code(i.code()), Some(i));
        }
        assert_eq!(ReturnedItem::from_code("both"), None);
        assert_eq!(Status::from_code("approved "), None);
        assert_eq!(Side::from_code("middle"), None);
        assert_eq!(RejectionReason::from_code(""), None);
    }

    #[test]
    fn only_drafts_and_returned_applications_are_editable() {
        let editable: Vec<Status> = Status::ALL
            .into_iter()
            .filter(|s| s.is_editable())
            .collect();
        assert_eq!(editable, vec![Status::Draft, Status::Returned]);
    }

    #[test]
    fn only_draft_submitted_under_review_and_returned_are_open() {
        let open: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(
            open,
            vec![
                Status::Draft,
                Status::Submitted,
                Status::UnderReview,
                Status::Returned
            ]
        );
    }
}
