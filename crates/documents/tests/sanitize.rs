//! What survives sanitising: the pixels, upright; not the metadata, comments or appended bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use documents::{ImageKind, UploadLimits, inspect, sanitize};
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
