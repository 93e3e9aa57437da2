//! What every portal page template shares: language, form token, navigation state, and helpers
//! for messages, money, dates and form errors.

use askama::Template;
use platform::fields::FormErrors;
use platform::i18n::{Arg, Locale};
use time::Date;

use crate::error::WebError;
use crate::notice::Notice;

/// Shared template fields.
pub struct Chrome {
    /// Page language.
    pub locale: Locale,
    /// Form token.
    pub csrf: String,
    /// Whether to show the logged-in navigation.
    pub logged_in: bool,
    /// True on the staff listener: staff navigation instead of the customer's.
    pub staff: bool,
    /// Which consoles the signed-in member of staff may open.
    pub staff_menu: StaffMenu,
    /// Current path, for the language switch.
    pub path: String,
    /// Stylesheet version.
    pub css_version: String,
    /// The confirmation of the change that led here, if any.
    pub notice: Option<Notice>,
}

/// The staff navigation: links to the consoles a member of staff's roles open.
#[derive(Clone, Copy, Debug, Default)]
pub struct StaffMenu {
    /// Holds the business-operator role (back office).
    pub operator: bool,
    /// Holds the administrator role (operations console).
    pub admin: bool,
    /// Submitted applications nobody has opened yet, shown as a badge.
    pub new_applications: i64,
}

impl Chrome {
    /// Chrome for pages rendered outside a handler (error pages).
    pub fn anonymous(locale: Locale, path: String) -> Self {
        Self {
            locale,
            csrf: String::new(),
            logged_in: false,
            staff: path.starts_with("/staff"),
            staff_menu: StaffMenu::default(),
            path,
            css_version: ui::static_files::css_version(),
            notice: None,
        }
    }

    /// A message.
    pub fn t(&self, key: &str) -> String {
        self.locale.t(key)
    }

    /// Version tag of the passkey script, for its URL.
    pub fn js_version(&self) -> String {
        ui::static_files::js_version()
    }

    /// Version tag of the privacy switch script, for its URL.
    pub fn privacy_js_version(&self) -> String {
        ui::static_files::privacy_js_version()
    }

    /// The confirmation to show above the page's content.
    pub fn notice_text(&self) -> Option<String> {
        self.notice.map(|n| self.t(&n.key()))
    }

    /// A remark in brackets after what it qualifies: full-width `（…）` in Japanese, ` (…)` in
    /// English, so no page mixes the two typographies.
    pub fn bracketed(&self, text: impl std::fmt::Display) -> String {
        match self.locale {
            Locale::Ja => format!("（{text}）"),
            Locale::En => format!(" ({text})"),
        }
    }

    /// A message with one numeric argument `n`.
    pub fn tn(&self, key: &str, n: impl Plain<i64>) -> String {
        self.locale.t_args(key, &[("n", Arg::from(n.plain()))])
    }

    /// `ja` or `en`.
    pub fn lang(&self) -> &'static str {
        self.locale.code()
    }

    /// The other language, for the switch link.
    pub fn other_lang(&self) -> &'static str {
        match self.locale {
            Locale::Ja => "en",
            Locale::En => "ja",
        }
    }

    /// The other language's own name.
    pub fn other_lang_name(&self) -> &'static str {
        match self.locale {
            Locale::Ja => "English",
            Locale::En => "日本語",
        }
    }

    /// A stored timestamp as date and time in Japan.
    pub fn timestamp(&self, unix: impl Plain<i64>) -> String {
        ui::format::timestamp(unix.plain(), self.locale)
    }

    /// An amount of yen.
    pub fn yen(&self, value: impl Plain<i64>) -> String {
        ui::format::yen(value.plain(), self.locale)
    }

    /// A date.
    pub fn date(&self, date: impl Plain<Date>) -> String {
        ui::format::date(date.plain(), self.locale)
    }
}

/// Field errors of a form, readable in the page's language.
pub struct FormState {
    locale: Locale,
    errors: FormErrors,
}

impl FormState {
    /// A form shown for the first time.
    pub fn fresh(locale: Locale) -> Self {
        Self {
            locale,
            errors: FormErrors::default(),
        }
    }

    /// A form shown again with errors.
    pub fn with(locale: Locale, errors: FormErrors) -> Self {
        Self { locale, errors }
    }

    /// The message for one field.
    pub fn err(&self, field: &str) -> Option<String> {
        self.errors.get(field).map(|e| e.message(self.locale))
    }

    /// Whether a field was refused.
    pub fn invalid(&self, field: &str) -> bool {
        self.errors.get(field).is_some()
    }

    /// Whether any field was refused.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The mark beside a required field's label.
    pub fn mark_required(&self) -> String {
        self.locale.t("label-required")
    }

    /// The mark beside an optional field's label.
    pub fn mark_optional(&self) -> String {
        self.locale.t("label-optional")
    }

    /// How many fields were refused.
    pub fn count(&self) -> usize {
        self.errors.0.len()
    }
}

/// Renders a template, turning a template failure into a logged 500.
pub fn render<T: Template>(page: &T) -> Result<String, WebError> {
    page.render().map_err(|e| {
        tracing::error!(error = %e, "page could not be rendered");
        WebError::Internal
    })
}

/// A value, or a reference to one at any depth: templates pass loop variables by reference.
pub trait Plain<T> {
    /// The value itself.
    fn plain(&self) -> T;
}

impl Plain<i64> for i64 {
    fn plain(&self) -> i64 {
        *self
    }
}

impl Plain<Date> for Date {
    fn plain(&self) -> Date {
        *self
    }
}

impl<T, P: Plain<T>> Plain<T> for &P {
    fn plain(&self) -> T {
        (**self).plain()
    }
}
