//! Identity documents that customers upload (front and back of a driving licence or My Number
//! card): untrusted bytes in, a clean image out, stored encrypted.
//!
//! 1. [`inspect`] refuses, before any decoder runs, what is not a complete JPEG or PNG of a
//!    sensible size: empty or oversized files, other types whatever their name, PDF, files that
//!    also carry an archive or markup (polyglots), truncated images and decompression bombs
//!    (too many pixels, or too many bytes once decoded).
//! 2. [`sanitize`] decodes the image, turns it upright by its EXIF orientation and encodes it
//!    again, so that metadata (GPS position), comments and appended payloads are gone. Uploads
//!    are cleaned through a bounded [`CleaningQueue`] that refuses a burst beyond its places; its
//!    module documents the memory cleaning can take at most.
//! 3. [`Vault`] stores the clean image in an object store, sealed with a key of its own that
//!    is wrapped by the customer's data key.

mod error;
mod inspect;
mod sanitize;
pub mod stores;
mod vault;

pub use error::DocumentError;
pub use inspect::{ImageKind, Inspection, UploadLimits, inspect, sniff};
pub use sanitize::{Admission, CleanImage, CleaningQueue, QueueLimits, sanitize, sanitize_async};
pub use vault::{StoredDocument, Vault};
