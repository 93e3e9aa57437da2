//! Outgoing mail through SMTP (STARTTLS or implicit TLS, with authentication; Amazon SES's SMTP
//! endpoint works), or, when no SMTP server is configured, as `.eml` files in a directory where
//! a developer can open them.

use std::path::PathBuf;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;

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
    File(#[from] lettre::transport::file::Error),
    /// The mail directory cannot be created.
    #[error("cannot create mail directory {0}")]
    Directory(PathBuf),
}

/// A mail to send: plain text, one recipient.
pub struct OutgoingMail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
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
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose().as_str())
                    .map_err(|e| MailError::Settings(e.to_string()))?
                    .build(),
            ),
            None => {
                let dir = config.data_dir.join("mail");
                std::fs::create_dir_all(&dir).map_err(|_| MailError::Directory(dir.clone()))?;
                Transport::Files(AsyncFileTransport::new(&dir), dir)
            }
        };
        Ok(Self { transport, from })
    }

    /// Where mails go, for the start-up banner (no credentials).
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "SMTP".to_owned(),
            Transport::Files(_, dir) => format!(".eml files in {}", dir.display()),
        }
    }

    /// Sends one mail with the given Message-ID (stable across retries).
    pub async fn send_with_id(
        &self,
        mail: OutgoingMail,
        message_id: String,
    ) -> Result<(), MailError> {
        let to: Mailbox = mail.to.parse().map_err(|_| MailError::Address)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .message_id(Some(message_id))
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text)?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
            Transport::Files(files, _) => {
                files.send(message).await?;
            }
        }
        Ok(())
    }
}
