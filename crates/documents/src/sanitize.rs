//! Turning an accepted upload into a clean image: decoded, turned upright and encoded again, so
//! that nothing of the original file survives but its pixels — no EXIF (GPS position, camera
//! serial), no comments, no appended payload.
//!
//! # How many at once, and how much memory
//!
//! Cleaning goes through a [`CleaningQueue`]: at most `running` images decode at once (one per
//! core) and at most `waiting` more wait for their turn (twice the cores). An upload beyond
//! those is refused at once with [`DocumentError::Busy`], before anything is stored, so a burst
//! of uploads can neither queue without bound nor hold its bodies in memory while it waits.
//!
//! What one image holds at its peak, with U the upload limit (`documents.max_bytes`, 10 MB) and
//! D the decoded limit (`documents.max_decoded_bytes`, 40 MB), which [`inspect`] checks from the
//! header before any decoder runs and [`decode`] checks again against what the decoder
//! announces before allocating:
//!
//! - the upload, and the JPEG decoder's own copy of it: 2U;
//! - decoding: the image, at most D. A progressive JPEG also keeps its coefficients (2 bytes per
//!   sample) until the last scan: up to 3D. 16-bit channels are narrowed to 8 bits inside the
//!   buffer they were decoded into, never copied into a second one;
//! - turning it upright by a quarter turn writes a second image before the first is freed: 2D;
//! - encoding: the image and the compressed stream, which the PNG encoder holds twice (built,
//!   then copied out); a stream is never much larger than the raw pixels, so at most 3D. A
//!   JPEG's stream is about a tenth of D.
//!
//! So one image takes at most 2U + 3D = 140 MB, and the queue at most
//! `running` × (2U + 3D) + `waiting` × U: on two cores 2 × 140 + 4 × 10 = 320 MB (305 MiB).
//! A 512 MiB task keeps over 200 MiB for the rest of the process, which peaks at about 120 MiB
//! serving pages and 19 MiB more per password being hashed (`docs/performance.md`). A 12 MP
//! phone photo, the usual upload, takes about 80 MB (36 MB decoded, twice while it is turned).

use std::io::Cursor;
use std::num::NonZero;
use std::sync::{Arc, OnceLock};

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::error::{ImageFormatHint, LimitErrorKind, UnsupportedError, UnsupportedErrorKind};
use image::metadata::Orientation;
use image::{
    ColorType, DynamicImage, ImageBuffer, ImageDecoder, ImageError, ImageFormat, ImageReader,
    Limits,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::DocumentError;
use crate::inspect::{ImageKind, Inspection, UploadLimits, inspect};

/// JPEG quality of the re-encoded image: text on the document stays sharp.
const JPEG_QUALITY: u8 = 90;
/// What a refused upload is told to wait, in seconds: a full queue on two cores clears in
/// about three cleanings per core, 0.4 s each for a 12 MP photo and about 1.3 s at the limits.
const RETRY_AFTER_SECS: u64 = 5;

/// An image made by this crate's encoder from decoded pixels only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanImage {
    /// The format, the same as the upload's.
    pub kind: ImageKind,
    /// The encoded image.
    pub bytes: Vec<u8>,
    /// Width, upright.
    pub width: u32,
    /// Height, upright.
    pub height: u32,
}

/// Checks an upload and re-encodes it. CPU-heavy: async callers use [`sanitize_async`].
pub fn sanitize(bytes: &[u8], limits: &UploadLimits) -> Result<CleanImage, DocumentError> {
    let inspection = inspect(bytes, limits)?;
    let image = decode(&bytes[..inspection.image_len], &inspection, limits)?;
    encode(inspection.kind, image)
}

/// [`sanitize`] on the blocking thread pool through the process's [`CleaningQueue::shared`],
/// so decoding never stalls the async workers and a burst of uploads is refused as
/// [`DocumentError::Busy`] beyond the queue's places instead of waiting without bound.
pub async fn sanitize_async(
    bytes: Vec<u8>,
    limits: UploadLimits,
) -> Result<CleanImage, DocumentError> {
    CleaningQueue::shared().sanitize(bytes, limits).await
}

/// How many images are cleaned at once and how many may wait for a turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueLimits {
    /// Images decoded at the same time (at least one).
    pub running: usize,
    /// Images waiting for a turn; an upload beyond these is refused.
    pub waiting: usize,
}

impl QueueLimits {
    /// One image per core, and twice as many waiting: a waiting upload waits for at most two
    /// cleanings on its core, about a second for phone photos.
    pub fn for_cores(cores: usize) -> Self {
        Self {
            running: cores,
            waiting: 2 * cores,
        }
    }
}

impl Default for QueueLimits {
    /// Sized to the cores this process may use (a CPU quota counts).
    fn default() -> Self {
        Self::for_cores(std::thread::available_parallelism().map_or(2, NonZero::get))
    }
}

/// A bounded queue in front of the decoders. Clones share the same places.
#[derive(Clone, Debug)]
pub struct CleaningQueue {
    /// One permit per place, running or waiting.
    places: Arc<Semaphore>,
    /// One permit per image that may decode now.
    turns: Arc<Semaphore>,
}

impl CleaningQueue {
    /// A queue of its own, for a test or a tool that must not share the process's places.
    pub fn new(limits: QueueLimits) -> Self {
        let running = limits.running.max(1);
        Self {
            places: Arc::new(Semaphore::new(running + limits.waiting)),
            turns: Arc::new(Semaphore::new(running)),
        }
    }

    /// The queue every upload of this process goes through, sized by [`QueueLimits::default`].
    pub fn shared() -> &'static CleaningQueue {
        static SHARED: OnceLock<CleaningQueue> = OnceLock::new();
        SHARED.get_or_init(|| CleaningQueue::new(QueueLimits::default()))
    }

    /// Takes a place in the queue, or refuses at once when every place is taken. A caller may
    /// take it before reading an upload's body, so that a refused upload is not even read.
    pub fn admit(&self) -> Result<Admission, DocumentError> {
        let place = Arc::clone(&self.places)
            .try_acquire_owned()
            .map_err(|_| busy())?;
        Ok(Admission {
            place,
            turns: Arc::clone(&self.turns),
        })
    }

    /// [`sanitize`] in a place of this queue: refused at once when the queue is full, else
    /// cleaned when its turn comes.
    pub async fn sanitize(
        &self,
        bytes: Vec<u8>,
        limits: UploadLimits,
    ) -> Result<CleanImage, DocumentError> {
        self.admit()?.sanitize(bytes, limits).await
    }
}

/// A place in a [`CleaningQueue`], given back when its image is cleaned or the admission is
/// dropped unused.
#[derive(Debug)]
pub struct Admission {
    place: OwnedSemaphorePermit,
    turns: Arc<Semaphore>,
}

impl Admission {
    /// Waits for a turn, then cleans on the blocking pool. The place and the turn go with the
    /// blocking task: a caller that gives up (the customer closes the page) frees neither while
    /// the decoder still runs.
    pub async fn sanitize(
        self,
        bytes: Vec<u8>,
        limits: UploadLimits,
    ) -> Result<CleanImage, DocumentError> {
        // The semaphore is never closed, so this error does not happen; were it closed, the
        // queue would take no more images.
        let turn = self.turns.acquire_owned().await.map_err(|_| busy())?;
        let place = self.place;
        tokio::task::spawn_blocking(move || {
            let clean = sanitize(&bytes, &limits);
            drop((turn, place));
            clean
        })
        .await
        .map_err(DocumentError::Task)?
    }
}

fn busy() -> DocumentError {
    DocumentError::Busy {
        retry_after_secs: RETRY_AFTER_SECS,
    }
}

/// Decodes within the limits: the decoder may allocate no more than the decoded budget, and
/// the image is read into one buffer of the size the decoder announces, checked against that
/// budget first.
fn decode(
    bytes: &[u8],
    inspection: &Inspection,
    limits: &UploadLimits,
) -> Result<DynamicImage, DocumentError> {
    let format = match inspection.kind {
        ImageKind::Jpeg => ImageFormat::Jpeg,
        ImageKind::Png => ImageFormat::Png,
    };
    let mut decoder_limits = Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    decoder_limits.max_alloc = Some(limits.max_decoded_bytes);
    let too_much = |decoded_bytes| DocumentError::TooMuchData {
        decoded_bytes,
        max_decoded_bytes: limits.max_decoded_bytes,
    };
    let refused = |e: ImageError| match e {
        ImageError::Limits(limit) if limit.kind() == LimitErrorKind::InsufficientMemory => {
            too_much(inspection.decoded_bytes)
        }
        ImageError::Limits(_) => DocumentError::TooManyPixels {
            width: inspection.width,
            height: inspection.height,
        },
        other => DocumentError::Decode(other),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decoder_limits);
    let mut decoder = reader.into_decoder().map_err(refused)?;
    // Broken EXIF only loses the rotation; the pixels are still the document.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let (width, height) = decoder.dimensions();
    let colour = decoder.color_type();
    let decoded_bytes = decoder.total_bytes();
    if decoded_bytes > limits.max_decoded_bytes {
        return Err(too_much(decoded_bytes));
    }
    let mut buffer = vec![0; usize::try_from(decoded_bytes).map_err(|_| too_much(decoded_bytes))?];
    decoder.read_image(&mut buffer).map_err(refused)?;
    if colour.bytes_per_pixel() > colour.channel_count() {
        narrow_to_8_bits(&mut buffer);
    }
    let mut image = match colour {
        ColorType::L8 | ColorType::L16 => {
            ImageBuffer::from_raw(width, height, buffer).map(DynamicImage::ImageLuma8)
        }
        ColorType::La8 | ColorType::La16 => {
            ImageBuffer::from_raw(width, height, buffer).map(DynamicImage::ImageLumaA8)
        }
        ColorType::Rgb8 | ColorType::Rgb16 => {
            ImageBuffer::from_raw(width, height, buffer).map(DynamicImage::ImageRgb8)
        }
        ColorType::Rgba8 | ColorType::Rgba16 => {
            ImageBuffer::from_raw(width, height, buffer).map(DynamicImage::ImageRgba8)
        }
        _ => None,
    }
    .ok_or_else(|| {
        DocumentError::Decode(ImageError::Unsupported(
            UnsupportedError::from_format_and_kind(
                ImageFormatHint::Exact(format),
                UnsupportedErrorKind::Color(colour.into()),
            ),
        ))
    })?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Narrows native-endian 16-bit samples to 8 bits, rounded, in the same buffer: sample `i`'s
/// byte is written at `i`, which sample `i` itself has already been read from, so no sample is
/// overwritten before it is read. The freed half is given back.
fn narrow_to_8_bits(buffer: &mut Vec<u8>) {
    let samples = buffer.len() / 2;
    for i in 0..samples {
        let wide = u32::from(u16::from_ne_bytes([buffer[2 * i], buffer[2 * i + 1]]));
        buffer[i] = u8::try_from((wide * 255 + 32_767) / 65_535).unwrap_or(u8::MAX);
    }
    buffer.truncate(samples);
    buffer.shrink_to_fit();
}

fn encode(kind: ImageKind, image: DynamicImage) -> Result<CleanImage, DocumentError> {
    let mut bytes = Vec::new();
    let (width, height) = (image.width(), image.height());
    match kind {
        ImageKind::Jpeg => {
            // The JPEG encoder takes 8-bit grey or RGB; a decoded JPEG is one of them (the
            // decoder turns CMYK into RGB), so the conversion is for the odd one with alpha.
            let image = match image {
                DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => image,
                other => DynamicImage::ImageRgb8(other.to_rgb8()),
            };
            image.write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY))
        }
        ImageKind::Png => image.write_with_encoder(PngEncoder::new(&mut bytes)),
    }
    .map_err(DocumentError::Encode)?;
    Ok(CleanImage {
        kind,
        bytes,
        width,
        height,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_bit_samples_narrow_in_place_with_rounding() {
        let mut buffer: Vec<u8> = [0u16, 65_535, 257, 32_896, 128, 129]
            .iter()
            .flat_map(|s| s.to_ne_bytes())
            .collect();
        narrow_to_8_bits(&mut buffer);
        assert_eq!(buffer, [0, 255, 1, 128, 0, 1]);
    }

    #[test]
    fn what_the_decoder_announces_is_checked_against_the_budget_too() {
        let png = testkit::images::encode_png(&testkit::images::patterned_image(40, 20));
        let limits = UploadLimits::default();
        let inspection = inspect(&png, &limits).unwrap();
        assert_eq!(inspection.decoded_bytes, 2_400);
        let tight = UploadLimits {
            max_decoded_bytes: 2_399,
            ..limits
        };
        let err = decode(&png, &inspection, &tight).unwrap_err();
        assert!(
            matches!(
                err,
                DocumentError::TooMuchData {
                    decoded_bytes: 2_400,
                    max_decoded_bytes: 2_399
                }
            ),
            "{err:?}"
        );
        assert!(decode(&png, &inspection, &limits).is_ok());
    }
}
