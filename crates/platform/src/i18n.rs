//! Message catalogs (Project Fluent files under `web/locales`, embedded at compile time).
//! Japanese is the primary language and the fallback; English is second.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static CATALOG = {
        locales: "../../web/locales",
        fallback_language: "ja",
        // Isolation marks would show as stray characters in plain-text mail and form values.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static JA: LanguageIdentifier = langid!("ja");
static EN: LanguageIdentifier = langid!("en");

/// A language the application speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// 日本語: the default.
    #[default]
    Ja,
    /// English.
    En,
}

impl Locale {
    /// Every supported locale, primary first.
    pub const ALL: [Locale; 2] = [Locale::Ja, Locale::En];

    /// The BCP 47 code (`ja`, `en`), as stored and used in `lang` attributes.
    pub fn code(self) -> &'static str {
        match self {
            Locale::Ja => "ja",
            Locale::En => "en",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "ja" => Some(Locale::Ja),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// Picks the best locale from an `Accept-Language` header, honouring quality values.
    pub fn negotiate(accept_language: &str) -> Self {
        let mut best: Option<(f32, Locale)> = None;
        for part in accept_language.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(locale) = Locale::from_code(primary)
                && q > 0.0
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, locale));
            }
        }
        best.map_or(Locale::Ja, |(_, l)| l)
    }

    fn langid(self) -> &'static LanguageIdentifier {
        match self {
            Locale::Ja => &JA,
            Locale::En => &EN,
        }
    }

    /// The message `key` in this locale.
    pub fn t(self, key: &str) -> String {
        CATALOG.lookup(self.langid(), key)
    }

    /// The message `key` with named arguments.
    pub fn t_args(self, key: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'static>> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
            .collect();
        CATALOG.lookup_with_args(self.langid(), key, &map)
    }

    /// True when the catalog of this locale has `key`.
    pub fn has(self, key: &str) -> bool {
        CATALOG.try_lookup(self.langid(), key).is_some()
    }
}

/// Re-exported so callers can build arguments without depending on Fluent themselves.
pub use fluent_templates::fluent_bundle::FluentValue as Arg;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_by_quality() {
        assert_eq!(Locale::negotiate("en-US,en;q=0.9,ja;q=0.8"), Locale::En);
        assert_eq!(Locale::negotiate("fr-FR, ja;q=0.5, en;q=0.3"), Locale::Ja);
        assert_eq!(Locale::negotiate("de"), Locale::Ja);
        assert_eq!(Locale::negotiate(""), Locale::Ja);
        assert_eq!(Locale::negotiate("en;q=0"), Locale::Ja);
    }

    /// Message IDs of every catalogue file of one language, each once.
    fn message_ids(lang: &str) -> std::collections::BTreeSet<String> {
        let dir = format!("{}/../../web/locales/{lang}", env!("CARGO_MANIFEST_DIR"));
        let mut ids = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for id in text
                .lines()
                .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
                .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
            {
                assert!(ids.insert(id.clone()), "{id} defined twice in {lang}");
            }
        }
        ids
    }

    #[test]
    fn both_catalogs_have_the_same_messages() {
        let ja = message_ids("ja");
        let en = message_ids("en");
        let only_ja: Vec<_> = ja.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&ja).collect();
        assert!(
            only_ja.is_empty() && only_en.is_empty(),
            "only ja: {only_ja:?}; only en: {only_en:?}"
        );
        assert!(ja.len() > 50);
    }

    #[test]
    fn messages_differ_per_locale_and_take_arguments() {
        assert_ne!(Locale::Ja.t("app-name"), Locale::En.t("app-name"));
        assert!(Locale::Ja.has("app-name"));
        assert!(!Locale::Ja.has("no-such-message"));
    }
}
