//! Why an upload was refused or a stored document could not be used.
//!
//! Refusals of the customer's file each have their own message in the catalogs
//! (`web/locales/*/documents.ftl`), so the upload page can say exactly what to send instead.
//! Failures on our side (storage, keys, a crashed worker) share one apologetic message; their
//! details go to the log and never contain the document's content.

use platform::crypto::CryptoError;
use platform::i18n::{Arg, Locale};

/// Why an upload was refused or a stored document could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The file has no bytes at all.
    #[error("the file is empty")]
    Empty,
    /// The file is larger than the configured limit.
    #[error("the file is larger than {max_bytes} bytes")]
    TooLarge {
        /// The limit, in bytes.
        max_bytes: u64,
    },
    /// Neither JPEG nor PNG (a text, HTML or ZIP file renamed to `.jpg`, say).
    #[error("the file is neither a JPEG nor a PNG image")]
    UnsupportedType,
    /// A PDF: refused with its own message, as customers often have their document as one.
    #[error("the file is a PDF")]
    Pdf,
    /// The image also carries another format's data (an archive, a document or markup).
    #[error("the file also carries {signature} data")]
    Polyglot {
        /// Which other format was recognised.
        signature: &'static str,
    },
    /// The image is cut short or its structure is broken.
    #[error("the image is truncated or corrupt")]
    Truncated,
    /// The header announces more pixels than allowed: refused before decoding, so that a small
    /// file cannot make the server allocate gigabytes (a decompression bomb).
    #[error("the image has too many pixels ({width}×{height})")]
    TooManyPixels {
        /// Width announced by the header.
        width: u32,
        /// Height announced by the header.
        height: u32,
    },
    /// The header announces more decoded bytes than allowed (pixels × channels × bytes per
    /// channel): refused before decoding, as pixels alone let through a small file that decodes
    /// to hundreds of megabytes (16-bit RGBA).
    #[error("the image decodes to {decoded_bytes} bytes, more than {max_decoded_bytes}")]
    TooMuchData {
        /// Decoded size announced by the header.
        decoded_bytes: u64,
        /// The limit.
        max_decoded_bytes: u64,
    },
    /// Every place in the cleaning queue is taken: refused at once, nothing stored, so that a
    /// burst of uploads cannot queue without bound. Neither the file's fault nor a failure: the
    /// same upload succeeds a little later.
    #[error("the image cleaning queue is full")]
    Busy {
        /// When to try again, in seconds (for `Retry-After`).
        retry_after_secs: u64,
    },
    /// The structure looked right but the image data does not decode.
    #[error("the image could not be decoded")]
    Decode(#[source] image::ImageError),
    /// The clean image could not be encoded again.
    #[error("the image could not be re-encoded")]
    Encode(#[source] image::ImageError),
    /// The background task that decodes images failed.
    #[error("the image processing task failed")]
    Task(#[source] tokio::task::JoinError),
    /// The store settings cannot be used; the key names the setting.
    #[error("invalid document store setting `{key}`: {reason}")]
    Config {
        /// Dotted configuration key.
        key: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The object store failed (unreachable, refused credentials, …).
    #[error("document storage failed")]
    Storage(#[source] object_store::Error),
    /// No object under this key.
    #[error("no stored document under this key")]
    NotFound,
    /// The stored object does not open: another owner's key, a destroyed key, tampered bytes
    /// or an object moved to another document.
    #[error("the stored document cannot be opened")]
    Unreadable(#[from] CryptoError),
}

impl DocumentError {
    /// True when the customer's file is at fault (a message tells them what to send instead);
    /// false when the failure is ours.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            DocumentError::Empty
                | DocumentError::TooLarge { .. }
                | DocumentError::UnsupportedType
                | DocumentError::Pdf
                | DocumentError::Polyglot { .. }
                | DocumentError::Truncated
                | DocumentError::TooManyPixels { .. }
                | DocumentError::TooMuchData { .. }
                | DocumentError::Decode(_)
        )
    }

    /// True when the document store failed in a way that passes (unreachable, timing out,
    /// answering 5xx): nothing was stored, and the same request succeeds once it is back.
    /// Refused credentials and missing buckets are configuration faults, not passing ones.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            DocumentError::Storage(e) if !matches!(
                e,
                object_store::Error::PermissionDenied { .. }
                    | object_store::Error::Unauthenticated { .. }
                    | object_store::Error::NotFound { .. }
                    | object_store::Error::NotImplemented
                    | object_store::Error::UnknownConfigurationKey { .. }
            )
        )
    }

    /// The message shown to the user.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            DocumentError::Empty => locale.t("error-document-empty"),
            DocumentError::TooLarge { max_bytes } => locale.t_args(
                "error-document-too-large",
                &[("max_mb", Arg::from(megabytes(*max_bytes)))],
            ),
            DocumentError::UnsupportedType => locale.t("error-document-unsupported-type"),
            DocumentError::Pdf => locale.t("error-document-pdf"),
            DocumentError::Polyglot { .. } => locale.t("error-document-polyglot"),
            DocumentError::Truncated => locale.t("error-document-truncated"),
            DocumentError::TooManyPixels { .. } => locale.t("error-document-too-many-pixels"),
            DocumentError::TooMuchData { .. } => locale.t("error-document-too-much-data"),
            DocumentError::Busy { .. } => locale.t("error-document-busy"),
            DocumentError::Decode(_) => locale.t("error-document-undecodable"),
            DocumentError::NotFound => locale.t("error-document-not-found"),
            e if e.is_unavailable() => locale.t("error-document-store-unavailable"),
            DocumentError::Encode(_)
            | DocumentError::Task(_)
            | DocumentError::Config { .. }
            | DocumentError::Storage(_)
            | DocumentError::Unreadable(_) => locale.t("error-document-unavailable"),
        }
    }
}

/// Bytes as decimal megabytes (10 000 000 → 10, 2 500 000 → 2.5), as people read file sizes.
fn megabytes(bytes: u64) -> f64 {
    // Limits are far below 2^53, so the conversion is exact.
    (bytes / 1_000) as f64 / 1_000.0
}

impl platform::fault::Classify for DocumentError {
    fn fault(&self) -> platform::fault::Fault {
        use platform::fault::Fault;
        match self {
            e if e.is_refusal() => Fault::Invalid,
            DocumentError::Busy { .. } => Fault::Busy,
            e if e.is_unavailable() => Fault::Unavailable,
            DocumentError::NotFound => Fault::NotFound,
            _ => Fault::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn storage(e: object_store::Error) -> DocumentError {
        DocumentError::Storage(e)
    }

    #[test]
    fn an_unreachable_store_passes_and_a_misconfigured_one_does_not() {
        let unreachable = storage(object_store::Error::Generic {
            store: "S3",
            source: Box::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        });
        assert!(unreachable.is_unavailable());
        assert!(!unreachable.is_refusal());
        assert!(
            unreachable
                .message(Locale::Ja)
                .starts_with("ただいま本人確認書類をお預かりできません")
        );
        let denied = storage(object_store::Error::PermissionDenied {
            path: "documents/ab".to_owned(),
            source: Box::new(std::io::Error::other("403")),
        });
        assert!(
            !denied.is_unavailable(),
            "credentials do not heal by waiting"
        );
        assert_eq!(
            denied.message(Locale::Ja),
            Locale::Ja.t("error-document-unavailable")
        );
        assert!(!DocumentError::Empty.is_unavailable());
    }
}
