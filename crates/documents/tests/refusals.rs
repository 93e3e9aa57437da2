//! Every refusal with a crafted input, as a customer's browser would upload it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use documents::{DocumentError, ImageKind, UploadLimits, inspect, sanitize, sanitize_async, sniff};
use platform::i18n::Locale;
use testkit::images::*;

fn refusal(bytes: &[u8]) -> DocumentError {
    let err = sanitize(bytes, &UploadLimits::default()).unwrap_err();
    assert!(err.is_refusal(), "{err:?}");
    err
}

fn small_jpeg() -> Vec<u8> {
    encode_jpeg(&patterned_image(48, 32))
}

#[test]
fn accepts_what_it_is_given_when_nothing_is_wrong() {
    let jpeg = small_jpeg();
    let inspection = inspect(&jpeg, &UploadLimits::default()).unwrap();
    assert_eq!(inspection.kind, ImageKind::Jpeg);
    assert_eq!((inspection.width, inspection.height), (48, 32));
    assert_eq!(inspection.image_len, jpeg.len());
    let png = encode_png(&patterned_image(40, 20));
    assert_eq!(sniff(&png).unwrap(), ImageKind::Png);
    let clean = sanitize(&png, &UploadLimits::default()).unwrap();
    assert_eq!(
        (clean.kind, clean.width, clean.height),
        (ImageKind::Png, 40, 20)
    );
}

#[test]
fn refuses_files_of_another_type_named_like_images() {
    for bytes in [
        b"My licence number is 123456789012.\n".as_slice(),
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        &zip_archive("licence.jpg", &small_jpeg()),
    ] {
        assert!(
            matches!(refusal(bytes), DocumentError::UnsupportedType),
            "{:?}",
            String::from_utf8_lossy(&bytes[..8])
        );
    }
}

#[test]
fn refuses_a_pdf_with_its_own_message() {
    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    assert!(matches!(sniff(pdf), Err(DocumentError::Pdf)));
    let err = refusal(pdf);
    assert!(matches!(err, DocumentError::Pdf));
    let ja = err.message(Locale::Ja);
    assert!(ja.starts_with("PDFファイルはお受けできません"), "{ja}");
    assert!(ja.contains("JPEG") && ja.contains("PNG"), "{ja}");
    let en = err.message(Locale::En);
    assert!(en.contains("PDF") && en.contains("JPEG or PNG"), "{en}");
}

#[test]
fn refuses_an_empty_file() {
    assert!(matches!(sniff(&[]), Err(DocumentError::Empty)));
    assert!(matches!(refusal(&[]), DocumentError::Empty));
}

#[test]
fn refuses_a_file_over_the_limit_and_says_the_limit_in_megabytes() {
    let mut big = small_jpeg();
    big.resize(10_000_001, 0);
    let err = refusal(&big);
    assert!(matches!(
        err,
        DocumentError::TooLarge {
            max_bytes: 10_000_000
        }
    ));
    assert!(
        err.message(Locale::Ja).contains("10 MB"),
        "{}",
        err.message(Locale::Ja)
    );
    assert!(err.message(Locale::En).contains("10 MB"));
    let jpeg = small_jpeg();
    let limits = UploadLimits {
        max_bytes: jpeg.len() as u64 - 1,
        ..UploadLimits::default()
    };
    assert!(matches!(
        sanitize(&jpeg, &limits),
        Err(DocumentError::TooLarge { .. })
    ));
    let limits = UploadLimits {
        max_bytes: 2_500_000,
        ..UploadLimits::default()
    };
    let err = DocumentError::TooLarge {
        max_bytes: limits.max_bytes,
    };
    assert!(err.message(Locale::En).contains("2.5 MB"));
}

#[test]
fn refuses_a_jpeg_with_a_zip_archive_appended() {
    let mut polyglot = small_jpeg();
    polyglot.extend_from_slice(&zip_archive("payload.html", b"<p>hello</p>"));
    let err = refusal(&polyglot);
    assert!(
        matches!(err, DocumentError::Polyglot { signature: "ZIP" }),
        "{err:?}"
    );
    assert!(err.message(Locale::Ja).contains("画像以外のデータ"));
}

#[test]
fn refuses_a_jpeg_with_script_in_a_comment_segment() {
    let jpeg = with_segments(
        &small_jpeg(),
        &[segment(
            0xFE,
            b"nice photo <SCRIPT>fetch('/steal')</SCRIPT>",
        )],
    );
    assert!(matches!(
        refusal(&jpeg),
        DocumentError::Polyglot {
            signature: "script"
        }
    ));
}

#[test]
fn refuses_other_hidden_formats_anywhere() {
    let png = encode_png(&patterned_image(16, 16));
    let svg_text = png_chunk(b"tEXt", b"Comment\0<svg onload=alert(1)>");
    assert!(matches!(
        refusal(&with_chunk_after_ihdr(&png, &svg_text)),
        DocumentError::Polyglot { signature: "SVG" }
    ));
    for (tail, signature) in [
        (b"%PDF-1.4 trailer".as_slice(), "PDF"),
        (b"<?php system($_GET['c']); ?>", "PHP"),
        (b"<!doctype html>", "HTML"),
        (b"<HTML>", "HTML"),
    ] {
        let mut jpeg = small_jpeg();
        jpeg.extend_from_slice(tail);
        let err = refusal(&jpeg);
        assert!(
            matches!(err, DocumentError::Polyglot { signature: s } if s == signature),
            "{signature}: {err:?}"
        );
    }
}

#[test]
fn refuses_a_jpeg_cut_mid_stream() {
    let jpeg = small_jpeg();
    assert!(matches!(
        refusal(&jpeg[..jpeg.len() * 2 / 3]),
        DocumentError::Truncated
    ));
    // Only the end-of-image marker missing.
    assert!(matches!(
        refusal(&jpeg[..jpeg.len() - 2]),
        DocumentError::Truncated
    ));
}

#[test]
fn an_exif_thumbnail_end_marker_is_not_taken_for_the_end_of_the_image() {
    let thumbnail = encode_jpeg(&patterned_image(8, 8));
    let jpeg = with_segments(&small_jpeg(), &[exif_app1(1, &thumbnail)]);
    assert!(inspect(&jpeg, &UploadLimits::default()).is_ok());
    let cut = &jpeg[..jpeg.len() - 200];
    assert!(contains(cut, &[0xFF, 0xD9]), "the thumbnail's end marker");
    assert!(matches!(refusal(cut), DocumentError::Truncated));
}

#[test]
fn refuses_a_png_cut_mid_stream_or_with_a_bad_chunk_length() {
    let png = encode_png(&patterned_image(64, 64));
    assert!(matches!(
        refusal(&png[..png.len() / 2]),
        DocumentError::Truncated
    ));
    assert!(matches!(
        refusal(&png[..png.len() - 12]),
        DocumentError::Truncated
    ));
    let idat_at = 8 + 12 + 13;
    let mut bad_length = png.clone();
    bad_length[idat_at..idat_at + 4].copy_from_slice(&0xFFFF_FFF0u32.to_be_bytes());
    assert!(matches!(refusal(&bad_length), DocumentError::Truncated));
    let mut beyond_the_file = png.clone();
    beyond_the_file[idat_at..idat_at + 4].copy_from_slice(&(png.len() as u32).to_be_bytes());
    assert!(matches!(
        refusal(&beyond_the_file),
        DocumentError::Truncated
    ));
}

#[test]
fn refuses_a_decompression_bomb_from_its_header() {
    let bomb = png_claiming(100_000, 100_000, b"\x78\x9c\x03\x00\x00\x00\x00\x01");
    assert!(bomb.len() < 100);
    let err = refusal(&bomb);
    assert!(
        matches!(
            err,
            DocumentError::TooManyPixels {
                width: 100_000,
                height: 100_000
            }
        ),
        "{err:?}"
    );
    assert!(err.message(Locale::Ja).contains("解像度"));
    // Each side within the limit, the product beyond it.
    let wide = png_claiming(9_000, 9_000, b"\x78\x9c\x03\x00\x00\x00\x00\x01");
    assert!(matches!(
        refusal(&wide),
        DocumentError::TooManyPixels { .. }
    ));
    // A JPEG frame header claiming 60000×60000.
    let mut jpeg = small_jpeg();
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    assert!(matches!(
        refusal(&jpeg),
        DocumentError::TooManyPixels {
            width: 60_000,
            height: 60_000
        }
    ));
    let strict = UploadLimits {
        max_side: 40,
        ..UploadLimits::default()
    };
    assert!(matches!(
        sanitize(&small_jpeg(), &strict),
        Err(DocumentError::TooManyPixels {
            width: 48,
            height: 32
        })
    ));
}

#[test]
fn refuses_a_well_formed_file_whose_image_data_does_not_decode() {
    let garbage = png_claiming(16, 16, b"this is not zlib data at all");
    assert!(inspect(&garbage, &UploadLimits::default()).is_ok());
    let err = refusal(&garbage);
    assert!(matches!(err, DocumentError::Decode(_)), "{err:?}");
    assert!(err.message(Locale::Ja).contains("読み取る"));
}

#[tokio::test]
async fn the_async_entry_point_refuses_and_accepts_the_same() {
    let err = sanitize_async(b"plain text".to_vec(), UploadLimits::default())
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::UnsupportedType));
    let clean = sanitize_async(small_jpeg(), UploadLimits::default())
        .await
        .unwrap();
    assert_eq!((clean.width, clean.height), (48, 32));
}
