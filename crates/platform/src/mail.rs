//! Outgoing mail through SMTP (STARTTLS or implicit TLS, with authentication; Amazon SES's SMTP
//! endpoint works), or, when no SMTP server is configured, as `.eml` files in a directory where
//! a developer can open them.
//!
//! The SMTP URL carries the TLS mode (`smtps://` for implicit TLS, `smtp://…?tls=required` for
//! STARTTLS) and the credentials (`user:password@`). A private relay whose certificate is signed
//! by the bank's own certificate authority is trusted through `mail.smtp_ca_file`, in addition
//! to the public roots. Neither the password nor the URL is ever put into an error or a log line.

use std::path::{Path, PathBuf};

use askama::Template;
use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::{Digest, Sha256};
use url::Url;

use crate::config::{Config, SignatureConfig};
use crate::i18n::{Arg, Locale};

/// Why a mail could not be handed over.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The recipient or sender is not a valid address.
    #[error("invalid mail address")]
    Address,
    /// The SMTP settings cannot be used.
    #[error("invalid SMTP settings: {0}")]
    Settings(String),
    /// Building the message failed.
    #[error("cannot build mail: {0}")]
    Build(#[from] lettre::error::Error),
    /// The SMTP server refused or could not be reached.
    #[error("SMTP delivery failed: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    /// Writing the mail file failed.
    #[error("cannot write mail file: {0}")]
    File(#[from] std::io::Error),
    /// The mail directory cannot be created.
    #[error("cannot create mail directory {0}")]
    Directory(PathBuf),
}

/// A mail to send to one recipient: plain text, and optionally the same content as HTML for mail
/// programs that show it.
#[derive(Clone, Debug)]
pub struct OutgoingMail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body, always sent: some customers' mail programs show nothing else.
    pub text: String,
    /// HTML body; when present the mail is `multipart/alternative` (text first, then HTML).
    pub html: Option<String>,
}

impl OutgoingMail {
    /// A plain-text mail.
    pub fn plain(to: String, subject: String, text: String) -> Self {
        Self {
            to,
            subject,
            text,
            html: None,
        }
    }

    /// The same mail with an HTML alternative of its text.
    pub fn with_html(self, html: String) -> Self {
        Self {
            html: Some(html),
            ..self
        }
    }
}

/// Whom a mail greets. The name goes into the body only, never into a subject, a log line or
/// an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addressee {
    /// A customer by their registered name: 「山田 太郎 様」, "Dear 山田 太郎,".
    Named(String),
    /// A customer whose name is unknown or not yet confirmed: 「お客さま」, "Dear customer,".
    Customer,
    /// The business operators' shared mailbox: 「業務担当者各位」.
    Operators,
}

impl Addressee {
    /// A customer by `name` when there is one, otherwise as 「お客さま」.
    pub fn customer(name: Option<&str>) -> Self {
        match name.map(str::trim) {
            Some(name) if !name.is_empty() => Addressee::Named(name.to_owned()),
            _ => Addressee::Customer,
        }
    }
}

/// The signature block in one language, ready to print as text or HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The bank and the desk: 「〇〇銀行 資産管理サービス窓口」.
    pub desk: String,
    /// Telephone number and hours: 「電話：0120-000-000（平日 9:00〜17:00）」.
    pub phone: String,
    /// The desk's web page.
    pub url: String,
    /// Why replying does not help and where to ask instead.
    pub send_only: String,
}

/// What frames every mail the bank sends: the greeting that opens it, the closing words and the
/// signature from `[mail.signature]`, so all mails read alike and name the same desk.
#[derive(Clone, Debug)]
pub struct Letterhead {
    signature: SignatureConfig,
}

impl Letterhead {
    /// The letterhead of the configured signature.
    pub fn new(signature: &SignatureConfig) -> Self {
        Self {
            signature: signature.clone(),
        }
    }

    /// The opening line: 「山田 太郎 様」 or "Dear 山田 太郎,".
    pub fn greeting(&self, locale: Locale, addressee: &Addressee) -> String {
        match addressee {
            Addressee::Named(name) => {
                locale.t_args("mail-greeting-named", &[("name", Arg::from(name.clone()))])
            }
            Addressee::Customer => locale.t("mail-greeting-customer"),
            Addressee::Operators => locale.t("mail-greeting-operators"),
        }
    }

    /// The words before the signature: 「ご不明な点がございましたら…」, "Kind regards,".
    pub fn closing(&self, locale: Locale) -> String {
        locale.t("mail-closing")
    }

    /// The signature in `locale`.
    pub fn signature(&self, locale: Locale) -> Signature {
        let words = match locale {
            Locale::Ja => &self.signature.ja,
            Locale::En => &self.signature.en,
        };
        Signature {
            desk: locale.t_args(
                "mail-signature-desk",
                &[
                    ("bank", Arg::from(words.bank.clone())),
                    ("department", Arg::from(words.department.clone())),
                ],
            ),
            phone: locale.t_args(
                "mail-signature-phone",
                &[
                    ("phone", Arg::from(self.signature.phone.clone())),
                    ("hours", Arg::from(words.hours.clone())),
                ],
            ),
            url: self.signature.url.to_string(),
            send_only: locale.t("mail-send-only"),
        }
    }

    /// The plain-text mail: greeting, `body`, closing and signature.
    pub fn text(&self, locale: Locale, addressee: &Addressee, body: &str) -> String {
        let signature = self.signature(locale);
        format!(
            "{greeting}\n\n{body}\n\n{closing}\n\n{rule}\n{desk}\n{phone}\n{url}\n\n{send_only}\n",
            greeting = self.greeting(locale, addressee),
            body = body.trim_end(),
            closing = self.closing(locale),
            rule = SIGNATURE_RULE,
            desk = signature.desk,
            phone = signature.phone,
            url = signature.url,
            send_only = signature.send_only,
        )
    }

    /// The HTML mail in the bank's look (`web/templates/mail.html`): the service's header band,
    /// the greeting, `body` split into paragraphs at blank lines, `link` as a button, the closing
    /// and the signature. Every piece of text is escaped. A paragraph that is nothing but the
    /// link's address (「以下のリンク…」 followed by the URL) becomes the button, so the address
    /// is not printed twice; otherwise the button follows the paragraphs.
    pub fn html(
        &self,
        locale: Locale,
        addressee: &Addressee,
        subject: &str,
        body: &str,
        link: Option<MailLink<'_>>,
    ) -> Result<String, askama::Error> {
        let paragraphs: Vec<&str> = body
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        // The paragraphs before the button end at `until`; those after it start at `resume`.
        let (until, resume) = link
            .and_then(|link| paragraphs.iter().position(|p| *p == link.url))
            .map_or((paragraphs.len(), paragraphs.len()), |i| (i, i + 1));
        let page = MailHtml {
            lang: locale.code(),
            subject,
            service_name: &locale.t("app-name"),
            greeting: &self.greeting(locale, addressee),
            before: &paragraphs[..until],
            link,
            after: &paragraphs[resume..],
            closing: &self.closing(locale),
            signature: &self.signature(locale),
        };
        page.render()
    }

    /// The whole mail to `to`: plain text and, for mail programs that show it, the same content
    /// as HTML. `body` is the message's catalog text; `link`, when the mail asks the reader to
    /// act, is offered as a button in HTML, and in the text after `body` unless `body` already
    /// shows its address. Should the HTML part fail to render, the mail still goes as text.
    pub fn mail(
        &self,
        locale: Locale,
        to: String,
        addressee: &Addressee,
        subject: String,
        body: &str,
        link: Option<MailLink<'_>>,
    ) -> OutgoingMail {
        let text = match link {
            Some(link) if !body.contains(link.url) => self.text(
                locale,
                addressee,
                &format!("{}\n\n{}\n{}", body.trim_end(), link.label, link.url),
            ),
            _ => self.text(locale, addressee, body),
        };
        let html = match self.html(locale, addressee, &subject, body, link) {
            Ok(html) => Some(html),
            Err(error) => {
                tracing::warn!(%error, "mail goes as plain text only");
                None
            }
        };
        OutgoingMail {
            to,
            subject,
            text,
            html,
        }
    }
}

/// A button in an HTML mail: what it says and where it leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MailLink<'a> {
    /// The words on the button: 「お申し込み状況の確認」.
    pub label: &'a str,
    /// The address it opens.
    pub url: &'a str,
}

/// The HTML part, in the bank's look shared by every mail.
#[derive(Template)]
#[template(path = "mail.html")]
struct MailHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    service_name: &'a str,
    greeting: &'a str,
    before: &'a [&'a str],
    link: Option<MailLink<'a>>,
    after: &'a [&'a str],
    closing: &'a str,
    signature: &'a Signature,
}

/// The line above the signature in plain-text mails.
const SIGNATURE_RULE: &str = "――――――――――――――――――――";

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

/// Hands mail to the configured transport.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    /// Builds the transport the configuration asks for.
    pub fn from_config(config: &Config) -> Result<Self, MailError> {
        let from: Mailbox = config.mail.from.parse().map_err(|_| MailError::Address)?;
        let transport = match &config.mail.smtp_url {
            Some(url) => Transport::Smtp(smtp_transport(
                url.expose(),
                config.mail.smtp_ca_file.as_deref(),
            )?),
            None => {
                let dir = config.data_dir.join("mail");
                std::fs::create_dir_all(&dir).map_err(|_| MailError::Directory(dir.clone()))?;
                Transport::Files(dir)
            }
        };
        Ok(Self { transport, from })
    }

    /// Where mails go, for the start-up banner (no credentials).
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "SMTP".to_owned(),
            Transport::Files(dir) => format!(".eml files in {}", dir.display()),
        }
    }

    /// Whether mail can be handed over now: the SMTP server accepts a connection and greets,
    /// or the mail directory exists (true). For the operations dashboard and its alert rule.
    pub async fn probe(&self) -> Result<bool, MailError> {
        match &self.transport {
            Transport::Smtp(smtp) => Ok(smtp.test_connection().await?),
            Transport::Files(dir) => Ok(tokio::fs::metadata(dir).await.is_ok_and(|m| m.is_dir())),
        }
    }

    /// Sends one mail with the given Message-ID (stable across retries).
    pub async fn send_with_id(
        &self,
        mail: OutgoingMail,
        message_id: String,
    ) -> Result<(), MailError> {
        let to: Mailbox = mail.to.parse().map_err(|_| MailError::Address)?;
        let file_name = mail_file_name(&message_id, &mail.to);
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .message_id(Some(message_id))
            .subject(mail.subject);
        let message = match mail.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(mail.text, html))?,
            None => builder.header(ContentType::TEXT_PLAIN).body(mail.text)?,
        };
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
            Transport::Files(dir) => write_mail_file(dir, &file_name, &message.formatted()).await?,
        }
        Ok(())
    }
}

/// The file a mail is dropped into: named by its Message-ID and its recipient, so that a mail
/// handed over again (a worker killed after writing it, before recording it) replaces its first
/// copy, as a receiving system recognises the repeat by its Message-ID.
fn mail_file_name(message_id: &str, to: &str) -> String {
    let id: String = message_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let recipient = hex::encode(&Sha256::digest(to.as_bytes())[..4]);
    format!("{id}.{recipient}.eml")
}

/// Writes a whole mail file at once: to a temporary name first, then renamed, so a reader never
/// sees half a mail.
async fn write_mail_file(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let partial = dir.join(format!(".{name}.partial"));
    tokio::fs::write(&partial, bytes).await?;
    tokio::fs::rename(&partial, dir.join(name)).await
}

/// The SMTP transport of `url`; with `ca_file`, its TLS also trusts that authority. lettre's own
/// URL reading gives host, port, credentials and TLS mode; only the TLS parameters are replaced.
fn smtp_transport(
    url: &Url,
    ca_file: Option<&Path>,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
    // lettre's messages about a URL name the scheme or the parse error, never the password.
    let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
        .map_err(|e| MailError::Settings(e.to_string()))?;
    let Some(ca_file) = ca_file else {
        return Ok(builder.build());
    };
    let host = url
        .host_str()
        .ok_or_else(|| MailError::Settings("mail.smtp_url has no host".to_owned()))?;
    let parameters = TlsParameters::builder(host.to_owned())
        .add_root_certificate(read_ca(ca_file)?)
        .build_rustls()
        .map_err(|e| MailError::Settings(format!("mail.smtp_ca_file: {e}")))?;
    let mode = url
        .query_pairs()
        .find(|(key, _)| key == "tls")
        .map(|(_, value)| value.into_owned());
    let tls = match (url.scheme(), mode.as_deref()) {
        ("smtps", _) => Tls::Wrapper(parameters),
        (_, Some("required")) => Tls::Required(parameters),
        (_, Some("opportunistic")) => Tls::Opportunistic(parameters),
        _ => {
            return Err(MailError::Settings(
                "mail.smtp_ca_file needs TLS: use smtps:// or smtp://…?tls=required".to_owned(),
            ));
        }
    };
    Ok(builder.tls(tls).build())
}

/// The certificate authority (PEM, one or more certificates) a private relay's certificate is
/// signed by.
fn read_ca(file: &Path) -> Result<Certificate, MailError> {
    let pem = std::fs::read(file).map_err(|e| {
        MailError::Settings(format!(
            "mail.smtp_ca_file: cannot read {}: {e}",
            file.display()
        ))
    })?;
    if !pem
        .windows(b"-----BEGIN CERTIFICATE-----".len())
        .any(|w| w == b"-----BEGIN CERTIFICATE-----")
    {
        return Err(MailError::Settings(format!(
            "mail.smtp_ca_file: {} holds no PEM certificate",
            file.display()
        )));
    }
    Certificate::from_pem(&pem)
        .map_err(|e| MailError::Settings(format!("mail.smtp_ca_file {}: {e}", file.display())))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn a_ca_file_must_hold_a_readable_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let not_pem = dir.path().join("ca.pem");
        std::fs::write(&not_pem, "not a certificate").unwrap();
        let err = smtp_transport(&url("smtps://relay.internal:465"), Some(&not_pem))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("holds no PEM certificate"), "{err}");
        let missing = dir.path().join("missing.pem");
        let err = smtp_transport(&url("smtps://relay.internal:465"), Some(&missing))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("mail.smtp_ca_file: cannot read"), "{err}");
        assert!(smtp_transport(&url("smtp://u:pw@relay.internal:25"), None).is_ok());
    }

    /// A mail handed over twice under one Message-ID (a worker killed between writing it and
    /// recording it) leaves one file per recipient, the second copy replacing the first.
    #[tokio::test]
    async fn a_mail_dropped_again_replaces_its_first_copy() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer {
            transport: Transport::Files(dir.path().to_owned()),
            from: "noreply@bank.example".parse().unwrap(),
        };
        let mail =
            |to: &str, text: &str| OutgoingMail::plain(to.into(), "件名".into(), text.into());
        let id = || "<outbox-7.verify@assetstatus>".to_owned();
        mailer
            .send_with_id(mail("a@example.jp", "first-copy"), id())
            .await
            .unwrap();
        mailer
            .send_with_id(mail("a@example.jp", "second-copy"), id())
            .await
            .unwrap();
        mailer
            .send_with_id(mail("b@example.jp", "3"), id())
            .await
            .unwrap();
        let other = "<outbox-8.verify@assetstatus>".to_owned();
        mailer
            .send_with_id(mail("a@example.jp", "4"), other)
            .await
            .unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(
            names
                .iter()
                .all(|n| n.ends_with(".eml") && !n.starts_with('.'))
        );
        let first = names
            .iter()
            .find(|n| {
                n.starts_with("_outbox-7.verify_assetstatus_.")
                    && n.contains(&hex::encode(&Sha256::digest(b"a@example.jp")[..4]))
            })
            .unwrap();
        let kept = std::fs::read_to_string(dir.path().join(first)).unwrap();
        assert!(
            kept.contains("second-copy") && !kept.contains("first-copy"),
            "{kept}"
        );
    }

    fn letterhead() -> Letterhead {
        let defaults = SignatureConfig::default();
        let mut config = SignatureConfig {
            phone: "03-1234-5678".into(),
            ..defaults
        };
        config.ja.bank = "みなと銀行".into();
        config.en.bank = "Minato Bank".into();
        Letterhead::new(&config)
    }

    #[test]
    fn text_mails_open_with_the_name_and_close_with_the_configured_signature() {
        let head = letterhead();
        let ja = head.text(
            Locale::Ja,
            &Addressee::customer(Some(" 山田 太郎 ")),
            "本文です。\n",
        );
        assert!(ja.starts_with("山田 太郎 様\n\n本文です。\n"), "{ja}");
        assert!(ja.contains("みなと銀行 資産管理サービス窓口"), "{ja}");
        assert!(ja.contains("03-1234-5678"), "{ja}");
        assert!(ja.contains("https://www.bank.example/support/"), "{ja}");
        assert!(ja.contains("送信専用"), "{ja}");
        let en = head.text(Locale::En, &Addressee::Named("Taro Yamada".into()), "Body.");
        assert!(
            en.starts_with("Dear Taro Yamada,\n\nBody.\n\nKind regards,"),
            "{en}"
        );
        assert!(
            en.contains("Minato Bank") && en.contains("03-1234-5678"),
            "{en}"
        );
        assert!(!en.contains("みなと銀行"), "{en}");
    }

    #[test]
    fn a_customer_without_a_name_is_greeted_politely() {
        let head = letterhead();
        for name in [None, Some(""), Some("  ")] {
            assert_eq!(Addressee::customer(name), Addressee::Customer);
        }
        let ja = head.text(Locale::Ja, &Addressee::Customer, "本文です。");
        assert!(ja.starts_with("お客さま\n"), "{ja}");
        assert!(!ja.contains(" 様"), "{ja}");
        let en = head.text(Locale::En, &Addressee::Customer, "Body.");
        assert!(en.starts_with("Dear customer,\n"), "{en}");
        let operators = head.greeting(Locale::Ja, &Addressee::Operators);
        assert_eq!(operators, "業務担当者各位");
    }

    const LINK: MailLink<'static> = MailLink {
        label: "確認する",
        url: "https://bank.example/verify/t?a=1&b=2",
    };

    #[test]
    fn html_mails_wear_the_banks_look_with_greeting_paragraphs_and_signature() {
        let html = letterhead()
            .html(
                Locale::Ja,
                &Addressee::Named("山田 太郎".into()),
                "件名です",
                "一段落目です。\n二行目です。\n\n二段落目です。",
                None,
            )
            .unwrap();
        assert!(html.contains("lang=\"ja\"") && html.contains("<title>件名です</title>"));
        assert!(
            html.contains("#0b4f8a") && html.contains("資産状況"),
            "{html}"
        );
        assert!(html.contains(">山田 太郎 様</p>"), "{html}");
        assert!(html.contains(">一段落目です。\n二行目です。</p>"), "{html}");
        assert!(html.contains(">二段落目です。</p>"), "{html}");
        assert!(html.contains("みなと銀行 資産管理サービス窓口"), "{html}");
        assert!(
            html.contains("03-1234-5678") && html.contains("送信専用"),
            "{html}"
        );
        assert!(
            !html.contains("<a href=\"https://bank.example"),
            "no button: {html}"
        );
    }

    #[test]
    fn the_link_paragraph_becomes_the_button_and_text_is_escaped() {
        let head = letterhead();
        let body = format!(
            "以下のリンクを開いてください。\n\n{}\n\n<b>最後</b>です。",
            LINK.url
        );
        let html = head
            .html(
                Locale::Ja,
                &Addressee::Named("<script>x</script>".into()),
                "件名",
                &body,
                Some(LINK),
            )
            .unwrap();
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );
        assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"));
        let href = html.find("<a href=\"https://bank.example/verify/t?a=1&#38;b=2\"");
        let href =
            href.or_else(|| html.find("<a href=\"https://bank.example/verify/t?a=1&amp;b=2\""));
        let (lead, last) = (
            html.find("開いてください").unwrap(),
            html.find("最後").unwrap(),
        );
        assert!(href.is_some_and(|at| lead < at && at < last), "{html}");
        assert!(html.contains(">確認する</a>"), "{html}");
        assert_eq!(
            html.matches("verify/t?a=1").count(),
            2,
            "the button and its address once beneath it: {html}"
        );

        let text = head.mail(
            Locale::Ja,
            "taro@example.jp".into(),
            &Addressee::Customer,
            "件名".into(),
            &body,
            Some(LINK),
        );
        assert_eq!(text.text.matches(LINK.url).count(), 1, "{}", text.text);
        assert!(text.html.is_some());
    }

    #[test]
    fn a_link_missing_from_the_body_follows_it_in_both_parts() {
        let mail = letterhead().mail(
            Locale::En,
            "taro@example.jp".into(),
            &Addressee::Customer,
            "Subject".into(),
            "Body.",
            Some(LINK),
        );
        assert!(
            mail.text.starts_with(&format!(
                "Dear customer,\n\nBody.\n\n確認する\n{}\n",
                LINK.url
            )),
            "{}",
            mail.text
        );
        let html = mail.html.unwrap();
        let (body, button) = (
            html.find(">Body.</p>").unwrap(),
            html.find("<a href=\"https://bank.example").unwrap(),
        );
        assert!(body < button, "{html}");
        assert!(
            html.contains("Kind regards,") && html.contains("lang=\"en\""),
            "{html}"
        );
    }

    #[test]
    fn settings_errors_never_carry_the_password() {
        let err = smtp_transport(&url("imap://user:hunter2-secret@relay.internal"), None)
            .err()
            .unwrap()
            .to_string();
        assert!(!err.contains("hunter2-secret"), "{err}");
    }
}
