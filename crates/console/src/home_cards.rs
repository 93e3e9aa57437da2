//! What the staff home shows beyond the greeting: each console (back office, operations) adds
//! the cards of work waiting for the person signed in, so a member of staff sees on arrival what
//! needs them. The console shell knows none of the consoles; the application hands it their
//! [`HomeCards`] when it wires the staff listener.

use async_trait::async_trait;
use identity::staff::StaffSession;
use pages::error::WebError;
use platform::i18n::Locale;

/// One figure on a card: "自分の担当 3件", linking to the list behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HomeFigure {
    /// What is counted, in the page's language.
    pub label: String,
    /// The figure with its unit, in the page's language ("3件", "2026/12/07 02:00").
    pub value: String,
    /// The page that lists what is counted.
    pub href: String,
    /// Shown highlighted: something is late or failing.
    pub attention: bool,
}

/// A card of figures from one console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HomeCard {
    /// The card's heading.
    pub title: String,
    /// Its figures, in reading order.
    pub figures: Vec<HomeFigure>,
}

/// A console's contribution to the staff home.
#[async_trait]
pub trait HomeCards: Send + Sync {
    /// The cards for `who` (empty when their roles do not open this console).
    async fn cards(&self, who: &StaffSession, locale: Locale) -> Result<Vec<HomeCard>, WebError>;

    /// Submitted applications nobody has opened yet, for the navigation's badge (0 when this
    /// console does not count them or `who` may not see them).
    async fn new_applications(&self, who: &StaffSession) -> Result<i64, WebError> {
        let _ = who;
        Ok(0)
    }
}
