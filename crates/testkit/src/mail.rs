//! Reading the mails an application sent, from `.eml` files or a maildir, decoded as a mail
//! program would (quoted-printable, base64, encoded headers).

use std::path::Path;
use std::time::{Duration, Instant};

use mail_parser::MessageParser;

/// One received mail.
#[derive(Clone, Debug)]
pub struct Mail {
    /// Recipient address.
    pub to: String,
    /// Decoded subject.
    pub subject: String,
    /// Decoded plain-text body.
    pub text: String,
    /// The raw message as stored.
    pub raw: Vec<u8>,
}

impl Mail {
    /// The first link in the body that contains `path` (e.g. `/verify/`).
    pub fn link(&self, path: &str) -> Option<String> {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(path))
            .map(|w| w.trim_end_matches(['.', ')']).to_owned())
    }
}

/// Every mail in `dir`.
pub fn read_all(dir: &Path) -> Vec<Mail> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    // A mail being written has a name starting with a dot until it is whole.
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    files.sort_by_key(|e| e.metadata().and_then(|m| m.modified()).ok());
    files
        .iter()
        .filter_map(|e| {
            let raw = std::fs::read(e.path()).ok()?;
            let parsed = MessageParser::default().parse(&raw)?;
            Some(Mail {
                to: parsed.to()?.first()?.address()?.to_owned(),
                subject: parsed.subject().unwrap_or_default().to_owned(),
                text: parsed.body_text(0)?.into_owned(),
                raw: raw.clone(),
            })
        })
        .collect()
}

/// Mails to `to` in `dir`.
pub fn to(dir: &Path, to: &str) -> Vec<Mail> {
    read_all(dir).into_iter().filter(|m| m.to == to).collect()
}

/// Waits (up to 10 s) until `dir` holds at least `count` mails to `to`, and returns them.
pub async fn wait_for(dir: &Path, recipient: &str, count: usize) -> Vec<Mail> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mails = to(dir, recipient);
        if mails.len() >= count {
            return mails;
        }
        assert!(
            Instant::now() < deadline,
            "expected {count} mail(s) to {recipient} in {}, found {}",
            dir.display(),
            mails.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits (up to 10 s) for a mail to `recipient` with a link containing `fragment`; returns the
/// newest such link.
pub async fn wait_for_link(dir: &Path, recipient: &str, fragment: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(link) = to(dir, recipient)
            .iter()
            .rev()
            .find_map(|m| m.link(fragment))
        {
            return link;
        }
        assert!(
            Instant::now() < deadline,
            "no mail to {recipient} with a link to {fragment} in {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits (up to 10 s) for a mail to `recipient` whose subject contains `fragment`.
pub async fn wait_for_subject(dir: &Path, recipient: &str, fragment: &str) -> Mail {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(mail) = to(dir, recipient)
            .into_iter()
            .find(|m| m.subject.contains(fragment))
        {
            return mail;
        }
        assert!(
            Instant::now() < deadline,
            "no mail to {recipient} about «{fragment}» in {}",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The signature of a made-up bank, different from the built-in default, for tests that check
/// the configured signature reaches the mail.
pub fn letterhead() -> platform::mail::Letterhead {
    let mut config = platform::config::SignatureConfig {
        phone: "03-1234-5678".into(),
        ..platform::config::SignatureConfig::default()
    };
    config.ja.bank = "みなと銀行".into();
    config.en.bank = "Minato Bank".into();
    platform::mail::Letterhead::new(&config)
}
