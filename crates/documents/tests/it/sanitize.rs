//! What survives sanitising: the pixels, upright; not the metadata, comments or appended bytes.
use documents::{
    CleaningQueue, DocumentError, ImageKind, QueueLimits, UploadLimits, inspect, sanitize,
};
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use testkit::images::*;

const COMMENT: &[u8] = b"Customer note: Yamada Taro, Tokyo";

fn phone_photo(orientation: u16) -> Vec<u8> {
    let mut jpeg = with_segments(
        &encode_jpeg(&two_colour_image(64, 32)),
        &[exif_app1(orientation, b""), segment(0xFE, COMMENT)],
    );
    jpeg.extend_from_slice(b"\x00\x00\x00\x18ftypmp42 trailing phone data");
    jpeg
}

#[test]
fn the_crafted_photo_carries_what_must_go() {
    let photo = phone_photo(6);
    let markers = jpeg_markers(&photo);
    assert!(
        markers.contains(&0xE1) && markers.contains(&0xFE),
        "{markers:x?}"
    );
    assert!(contains(&photo, b"Exif\0\0"));
    assert!(contains(&photo, GPS_MARKER));
    assert!(contains(&photo, COMMENT));
    let inspection = inspect(&photo, &UploadLimits::default()).unwrap();
    assert!(inspection.image_len < photo.len(), "trailing bytes found");
}

#[test]
fn a_jpeg_loses_exif_gps_comment_and_trailing_bytes() {
    let clean = sanitize(&phone_photo(1), &UploadLimits::default()).unwrap();
    assert_eq!(clean.kind, ImageKind::Jpeg);
    let markers = jpeg_markers(&clean.bytes);
    assert!(!markers.contains(&0xE1), "APP1 left: {markers:x?}");
    assert!(!markers.contains(&0xFE), "comment left: {markers:x?}");
    assert!(!contains(&clean.bytes, b"Exif"));
    assert!(!contains(&clean.bytes, GPS_MARKER));
    assert!(!contains(&clean.bytes, b"GPS"));
    assert!(!contains(&clean.bytes, COMMENT));
    assert!(!contains(&clean.bytes, b"trailing phone data"));
    assert!(clean.bytes.ends_with(&[0xFF, 0xD9]));
    assert_eq!((clean.width, clean.height), (64, 32));
    let decoded = image::load_from_memory(&clean.bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (64, 32));
}

#[test]
fn the_exif_orientation_is_applied_so_the_photo_stays_upright() {
    let clean = sanitize(&phone_photo(6), &UploadLimits::default()).unwrap();
    // Orientation 6: the camera was turned, the image is rotated 90° clockwise for display.
    assert_eq!((clean.width, clean.height), (32, 64));
    let decoded = image::load_from_memory(&clean.bytes).unwrap().to_rgb8();
    assert_eq!(decoded.dimensions(), (32, 64));
    // The left (red) half of the stored pixels becomes the top half.
    let top = decoded.get_pixel(16, 8).0;
    let bottom = decoded.get_pixel(16, 56).0;
    assert!(top[0] > 150 && top[2] < 100, "top {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom {bottom:?}");
    // The orientation is not written again, or viewers would turn the photo a second time.
    assert!(!jpeg_markers(&clean.bytes).contains(&0xE1));
}

#[test]
fn a_png_loses_its_text_chunks_and_keeps_its_pixels() {
    let original = patterned_image(24, 12);
    let png = with_chunk_after_ihdr(
        &encode_png(&original),
        &png_chunk(b"tEXt", b"Comment\0Yamada Taro, 1-2-3 Chiyoda"),
    );
    let mut png = png;
    png.extend_from_slice(b"appended after IEND");
    assert!(contains(&png, b"tEXt"));
    let clean = sanitize(&png, &UploadLimits::default()).unwrap();
    assert_eq!(clean.kind, ImageKind::Png);
    assert!(clean.bytes.starts_with(PNG_MAGIC));
    let kinds: Vec<[u8; 4]> = png_chunks(&clean.bytes)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(!kinds.contains(b"tEXt"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(b"IEND"));
    assert!(!contains(&clean.bytes, b"Yamada"));
    assert!(!contains(&clean.bytes, b"appended after IEND"));
    let decoded = image::load_from_memory(&clean.bytes).unwrap().to_rgb8();
    assert_eq!(decoded, original);
}

#[test]
fn a_clean_image_passes_the_checks_again_unchanged_in_size() {
    let clean = sanitize(&phone_photo(6), &UploadLimits::default()).unwrap();
    let inspection = inspect(&clean.bytes, &UploadLimits::default()).unwrap();
    assert_eq!(inspection.image_len, clean.bytes.len());
    assert_eq!((inspection.width, inspection.height), (32, 64));
}

#[test]
fn a_16_bit_png_is_cleaned_to_8_bits_with_its_pixels() {
    let (width, height) = (20u32, 10u32);
    let samples: Vec<u16> = (0..width * height * 4)
        .map(|i| (i * 331 % 65_536) as u16)
        .collect();
    let raw: Vec<u8> = samples.iter().flat_map(|s| s.to_ne_bytes()).collect();
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(&raw, width, height, ExtendedColorType::Rgba16)
        .unwrap();
    assert_eq!(
        inspect(&png, &UploadLimits::default())
            .unwrap()
            .decoded_bytes,
        u64::from(width * height * 8)
    );
    let clean = sanitize(&png, &UploadLimits::default()).unwrap();
    let ihdr = &png_chunks(&clean.bytes)[0].1;
    assert_eq!((ihdr[8], ihdr[9]), (8, 6), "8-bit RGBA");
    let decoded = image::load_from_memory(&clean.bytes).unwrap().to_rgba8();
    let expected: Vec<u8> = samples
        .iter()
        .map(|&s| ((u32::from(s) * 255 + 32_767) / 65_535) as u8)
        .collect();
    assert_eq!(decoded.into_raw(), expected);
}

fn small_jpeg() -> Vec<u8> {
    encode_jpeg(&patterned_image(48, 32))
}

#[tokio::test]
async fn a_full_queue_refuses_at_once_and_takes_uploads_again_when_a_place_frees() {
    let queue = CleaningQueue::new(QueueLimits {
        running: 1,
        waiting: 0,
    });
    let held = queue.admit().unwrap();
    let err = queue
        .sanitize(small_jpeg(), UploadLimits::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, DocumentError::Busy { retry_after_secs } if retry_after_secs > 0),
        "{err:?}"
    );
    assert!(!err.is_refusal(), "not the customer's file");
    assert!(queue.clone().admit().is_err(), "clones share the places");
    drop(held);
    let clean = queue
        .sanitize(small_jpeg(), UploadLimits::default())
        .await
        .unwrap();
    assert_eq!((clean.width, clean.height), (48, 32));
    // The place came back with the clean image.
    assert!(queue.admit().is_ok());
}

#[tokio::test]
async fn waiting_places_are_counted_with_running_ones() {
    let queue = CleaningQueue::new(QueueLimits {
        running: 1,
        waiting: 2,
    });
    let first = queue.admit().unwrap();
    let second = queue.admit().unwrap();
    let third = queue.admit().unwrap();
    assert!(matches!(queue.admit(), Err(DocumentError::Busy { .. })));
    drop(third);
    // An admitted upload is cleaned when its turn comes; a refusal of its file frees the place.
    let err = second
        .sanitize(b"plain text".to_vec(), UploadLimits::default())
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::UnsupportedType));
    let clean = first
        .sanitize(small_jpeg(), UploadLimits::default())
        .await
        .unwrap();
    assert_eq!(clean.kind, ImageKind::Jpeg);
    let all: Vec<_> = (0..3).map(|_| queue.admit().unwrap()).collect();
    assert_eq!(all.len(), 3);
}

#[tokio::test]
async fn a_queue_without_running_places_still_cleans_one_at_a_time() {
    let queue = CleaningQueue::new(QueueLimits {
        running: 0,
        waiting: 0,
    });
    assert!(
        queue
            .sanitize(small_jpeg(), UploadLimits::default())
            .await
            .is_ok()
    );
}

#[test]
fn the_default_queue_runs_one_image_per_core_and_lets_twice_as_many_wait() {
    assert_eq!(
        QueueLimits::for_cores(2),
        QueueLimits {
            running: 2,
            waiting: 4
        }
    );
    let default = QueueLimits::default();
    assert!(default.running >= 1);
    assert_eq!(default.waiting, 2 * default.running);
}
