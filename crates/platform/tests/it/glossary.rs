//! The catalogs under `web/locales` speak one vocabulary (`web/locales/glossary.toml`), hold the
//! same keys in Japanese and English, and keep Japanese sentences in the polite register.
//! Each failure names the file, the key and what is wrong, so a reviewer can fix it at once.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Deserialize)]
struct Glossary {
    term: Vec<Term>,
}

#[derive(Deserialize)]
struct Term {
    ja: String,
    en: String,
    meaning: String,
    avoid_ja: Vec<String>,
    avoid_en: Vec<String>,
}

/// One message of one catalog file: its key and its whole value (continuation lines included).
struct Message {
    file: String,
    key: String,
    value: String,
}

fn locales_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/locales")
}

fn glossary() -> Glossary {
    let path = locales_dir().join("glossary.toml");
    let text = fs::read_to_string(&path).expect("web/locales/glossary.toml is readable");
    toml::from_str(&text).expect("web/locales/glossary.toml is valid")
}

fn catalog_files(lang: &str) -> BTreeSet<String> {
    fs::read_dir(locales_dir().join(lang))
        .expect("the locale directory is readable")
        .map(|entry| entry.expect("a directory entry").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".ftl"))
        .collect()
}

/// Reads the messages of a Fluent file: a message starts at `key =` at the start of a line and
/// runs until the next message, term or comment; comments are not messages.
fn parse(lang: &str, file: &str, text: &str) -> Vec<Message> {
    let mut messages: Vec<Message> = Vec::new();
    let mut open = false;
    for line in text.lines() {
        let starts_entry = line.starts_with(|c: char| c.is_ascii_alphabetic());
        if starts_entry && let Some((key, value)) = line.split_once('=') {
            messages.push(Message {
                file: format!("{lang}/{file}"),
                key: key.trim().to_owned(),
                value: value.trim().to_owned(),
            });
            open = true;
        } else if line.starts_with('#') || line.starts_with('-') {
            open = false;
        } else if open && let Some(message) = messages.last_mut() {
            message.value.push('\n');
            message.value.push_str(line.trim());
        }
    }
    messages
}

fn messages(lang: &str) -> Vec<Message> {
    catalog_files(lang)
        .iter()
        .flat_map(|file| {
            let path = locales_dir().join(lang).join(file);
            let text = fs::read_to_string(&path).expect("a catalog file is readable");
            parse(lang, file, &text)
        })
        .collect()
}

/// Every use of a variant the glossary forbids in `lang`, one line each.
fn forbidden_uses(glossary: &Glossary, messages: &[Message], lang: &str) -> Vec<String> {
    let mut found = Vec::new();
    for term in &glossary.term {
        let (avoid, word) = match lang {
            "ja" => (&term.avoid_ja, &term.ja),
            _ => (&term.avoid_en, &term.en),
        };
        for message in messages {
            let value = match lang {
                "ja" => message.value.clone(),
                _ => message.value.to_lowercase(),
            };
            for variant in avoid {
                let needle = match lang {
                    "ja" => variant.clone(),
                    _ => variant.to_lowercase(),
                };
                if value.contains(&needle) {
                    found.push(format!(
                        "{}: `{}` uses 「{variant}」; the glossary says 「{word}」",
                        message.file, message.key
                    ));
                }
            }
        }
    }
    found
}

/// Keys present in one language's file and missing from the other's.
fn missing_translations() -> Vec<String> {
    let mut found = Vec::new();
    let files: BTreeSet<String> = catalog_files("ja")
        .union(&catalog_files("en"))
        .cloned()
        .collect();
    let ja = messages("ja");
    let en = messages("en");
    let keys = |all: &[Message], lang: &str, file: &str| -> BTreeSet<String> {
        let name = format!("{lang}/{file}");
        all.iter()
            .filter(|m| m.file == name)
            .map(|m| m.key.clone())
            .collect()
    };
    for file in &files {
        let ja_keys = keys(&ja, "ja", file);
        let en_keys = keys(&en, "en", file);
        for key in ja_keys.difference(&en_keys) {
            found.push(format!("ja/{file}: `{key}` has no English in en/{file}"));
        }
        for key in en_keys.difference(&ja_keys) {
            found.push(format!("en/{file}: `{key}` has no Japanese in ja/{file}"));
        }
    }
    found
}

/// Why a Japanese sentence reads in the plain form (〜だ・〜である・〜する・〜した), if it does.
/// Only sentences closed by 。 are judged: labels such as 「登録する」 on a button are plain by
/// convention and carry no 。.
fn plain_form(sentence: &str) -> Option<&'static str> {
    let s = sentence.trim_end_matches(['）', '」', '』', ')']);
    const ENDINGS: [(&str, &str); 7] = [
        ("である", "〜である"),
        ("であった", "〜であった"),
        ("だった", "〜だった"),
        ("ではない", "〜ではない"),
        ("じゃない", "〜じゃない"),
        ("だ", "〜だ"),
        ("ない", "〜ない"),
    ];
    if let Some((_, form)) = ENDINGS.iter().find(|(ending, _)| s.ends_with(ending)) {
        return Some(form);
    }
    if s.ends_with('る') {
        return Some("〜る (plain verb)");
    }
    if s.ends_with('た') && !s.ends_with("ました") && !s.ends_with("でした") {
        return Some("〜た (plain past)");
    }
    None
}

fn plain_forms(messages: &[Message]) -> Vec<String> {
    let mut found = Vec::new();
    for message in messages {
        for line in message.value.lines() {
            let mut sentences: Vec<&str> = line.split('。').collect();
            sentences.pop(); // the text after the last 。 is not a closed sentence
            for sentence in sentences {
                if let Some(form) = plain_form(sentence) {
                    found.push(format!(
                        "{}: `{}` mixes the plain form {form} into the polite register: 「{}。」",
                        message.file,
                        message.key,
                        sentence.trim()
                    ));
                }
            }
        }
    }
    found
}

fn assert_none(problems: Vec<String>, what: &str) {
    assert!(problems.is_empty(), "{what}:\n{}", problems.join("\n"));
}

#[test]
fn the_glossary_is_complete_and_consistent() {
    let glossary = glossary();
    assert!(glossary.term.len() >= 20, "the glossary lost its terms");
    for term in &glossary.term {
        assert!(
            !term.ja.is_empty() && !term.en.is_empty() && !term.meaning.is_empty(),
            "every term has Japanese, English and a meaning: {}",
            term.ja
        );
        for variant in term.avoid_ja.iter().chain(&term.avoid_en) {
            assert!(
                !term.ja.contains(variant.as_str()) && !term.en.contains(variant.as_str()),
                "「{}」 forbids its own word 「{variant}」",
                term.ja
            );
        }
    }
}

#[test]
fn catalogs_use_the_glossary_words() {
    let glossary = glossary();
    let (ja, en) = (messages("ja"), messages("en"));
    assert!(
        ja.len() > 300 && en.len() > 300,
        "the catalogs were not read: {} Japanese and {} English messages",
        ja.len(),
        en.len()
    );
    let mut problems = forbidden_uses(&glossary, &ja, "ja");
    problems.extend(forbidden_uses(&glossary, &en, "en"));
    assert_none(problems, "variants the glossary forbids");
}

#[test]
fn every_key_exists_in_both_languages() {
    assert_none(missing_translations(), "untranslated keys");
}

#[test]
fn japanese_sentences_stay_in_the_polite_register() {
    assert_none(
        plain_forms(&messages("ja")),
        "plain forms in Japanese messages",
    );
}

#[test]
fn the_checks_catch_what_they_are_meant_to() {
    let sample = "\
## 見出し
good = お申し込みを受け付けました。
bad-word = お申込みを受け付けました。
bad-register = 申し込みは受付済みである。
    審査には数日かかる。
label = 登録する
# コメントの申込は対象外
-brand = 申込
";
    let parsed = parse("ja", "sample.ftl", sample);
    let keys: Vec<&str> = parsed.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, ["good", "bad-word", "bad-register", "label"]);
    assert!(
        parsed[2].value.contains("審査には数日かかる。"),
        "continuation lines belong to the message"
    );

    let words = forbidden_uses(&glossary(), &parsed, "ja");
    assert_eq!(words.len(), 1, "{words:?}");
    assert!(
        words[0].starts_with("ja/sample.ftl: `bad-word` uses 「申込」"),
        "{}",
        words[0]
    );

    let register = plain_forms(&parsed);
    assert_eq!(register.len(), 2, "{register:?}");
    assert!(
        register.iter().all(|p| p.contains("`bad-register`")),
        "{register:?}"
    );

    let en = parse(
        "en",
        "sample.ftl",
        "login = Please Sign In with your e-mail address.\n",
    );
    let words = forbidden_uses(&glossary(), &en, "en");
    assert_eq!(words.len(), 1, "{words:?}");
    assert!(
        words[0].contains("`login` uses 「sign in」"),
        "{}",
        words[0]
    );

    for polite in [
        "ご確認ください",
        "登録しました",
        "できませんでした",
        "お受けできません",
        "例：2026-12-01",
    ] {
        assert_eq!(plain_form(polite), None, "{polite}");
    }
    for plain in [
        "確認する",
        "登録した",
        "利用できない",
        "必須だ",
        "対象である",
    ] {
        assert!(plain_form(plain).is_some(), "{plain}");
    }
}
