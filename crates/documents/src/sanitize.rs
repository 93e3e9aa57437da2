//! Turning an accepted upload into a clean image: decoded, turned upright and encoded again, so
//! that nothing of the original file survives but its pixels — no EXIF (GPS position, camera
//! serial), no comments, no appended payload.

use std::io::Cursor;
use std::sync::OnceLock;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use tokio::sync::Semaphore;

use crate::DocumentError;
use crate::inspect::{ImageKind, Inspection, UploadLimits, inspect};

/// The most memory a decoder may allocate for one image, whatever the configured pixel limits.
const MAX_DECODER_ALLOC: u64 = 512 * 1024 * 1024;
/// JPEG quality of the re-encoded image: text on the document stays sharp.
const JPEG_QUALITY: u8 = 90;

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

/// [`sanitize`] on the blocking thread pool, so decoding never stalls the async workers, and
/// at most one image per core at a time: a burst of uploads queues instead of sharing the cores
/// and holding a decoded image (about 76 MB for a 12 MP photo) each.
pub async fn sanitize_async(
    bytes: Vec<u8>,
    limits: UploadLimits,
) -> Result<CleanImage, DocumentError> {
    // The semaphore is never closed, so a permit always comes.
    let _permit = cleaning_permits().acquire().await.ok();
    tokio::task::spawn_blocking(move || sanitize(&bytes, &limits))
        .await
        .map_err(DocumentError::Task)?
}

/// One permit per core, shared by every caller in the process.
fn cleaning_permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| {
        Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
    })
}

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
    decoder_limits.max_alloc = Some(MAX_DECODER_ALLOC);
    let refused = |e: ImageError| match e {
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
    let mut image = DynamicImage::from_decoder(decoder).map_err(refused)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn encode(kind: ImageKind, image: DynamicImage) -> Result<CleanImage, DocumentError> {
    let mut bytes = Vec::new();
    let (width, height) = (image.width(), image.height());
    match kind {
        ImageKind::Jpeg => {
            // The JPEG encoder takes 8-bit grey or RGB; a decoded JPEG is one of them, except
            // CMYK and the like, which become RGB.
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
