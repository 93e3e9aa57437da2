//! Every refusal with a crafted input, as a customer's browser would upload it.
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

/// Bits packed as deflate packs them: values from the least significant bit, Huffman codes
/// from the most significant.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    used: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        for i in 0..count {
            if self.used.is_multiple_of(8) {
                self.bytes.push(0);
            }
            let bit = ((value >> i) & 1) as u8;
            *self.bytes.last_mut().unwrap() |= bit << (self.used % 8);
            self.used += 1;
        }
    }

    fn code(&mut self, code: u32, length: u32) {
        self.put(code.reverse_bits() >> (32 - length), length);
    }
}

/// A zlib stream of `len` zero bytes in one block of the fixed codes: a literal zero, then
/// copies of 258 bytes from one byte back (13 bits each), as a bomb would carry them.
fn zlib_zeros(len: usize) -> Vec<u8> {
    const LITERAL_ZERO: u32 = 0b0011_0000;
    const LENGTH_258: u32 = 0b1100_0101;
    let mut bits = Bits::default();
    bits.put(1, 1); // last block
    bits.put(1, 2); // fixed codes
    bits.code(LITERAL_ZERO, 8);
    let mut left = len - 1;
    while left >= 258 {
        bits.code(LENGTH_258, 8);
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(LITERAL_ZERO, 8);
    }
    bits.code(0, 7); // end of block
    let mut out = vec![0x78, 0x01];
    out.extend_from_slice(&bits.bytes);
    let adler = (((len % 65_521) as u32) << 16) | 1;
    out.extend_from_slice(&adler.to_be_bytes());
    out
}

/// A PNG of zeros with the given header, as small as a bomb makes it.
fn zero_png(width: u32, height: u32, bit_depth: u8, colour_type: u8, channels: usize) -> Vec<u8> {
    let row = 1 + width as usize * channels * usize::from(bit_depth.div_ceil(8));
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[bit_depth, colour_type, 0, 0, 0]);
    let mut out = PNG_MAGIC.to_vec();
    out.extend_from_slice(&png_chunk(b"IHDR", &ihdr));
    out.extend_from_slice(&png_chunk(b"IDAT", &zlib_zeros(row * height as usize)));
    out.extend_from_slice(&png_chunk(b"IEND", &[]));
    out
}

#[test]
fn the_zero_stream_is_a_valid_image() {
    let small = zero_png(16, 8, 16, 6, 4);
    let decoded = image::load_from_memory(&small).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (16, 8));
    assert!(decoded.into_rgba16().pixels().all(|p| p.0 == [0; 4]));
}

#[test]
fn refuses_a_16_bit_rgba_bomb_under_the_pixel_limit_before_decoding() {
    // 36 MP, under the 40 MP limit; 6000 × 6000 × 4 channels × 2 bytes = 288 MB decoded.
    let bomb = zero_png(6_000, 6_000, 16, 6, 4);
    assert!(bomb.len() < 2_000_000, "{} bytes", bomb.len());
    let limits = UploadLimits::default();
    assert!(6_000 * 6_000 <= limits.max_pixels);
    let expected = DocumentError::TooMuchData {
        decoded_bytes: 288_000_000,
        max_decoded_bytes: 40_000_000,
    };
    // `inspect` runs no decoder: refused there, the image is never decoded.
    let err = inspect(&bomb, &limits).unwrap_err();
    assert_eq!(format!("{err:?}"), format!("{expected:?}"));
    let err = refusal(&bomb);
    assert!(
        matches!(
            err,
            DocumentError::TooMuchData {
                decoded_bytes: 288_000_000,
                max_decoded_bytes: 40_000_000
            }
        ),
        "{err:?}"
    );
    let ja = err.message(Locale::Ja);
    assert!(ja.starts_with("画像のデータ量が大きすぎます。"), "{ja}");
    assert!(err.message(Locale::En).contains("too much data"));
    assert_ne!(
        ja,
        DocumentError::TooManyPixels {
            width: 1,
            height: 1
        }
        .message(Locale::Ja)
    );
}

#[test]
fn counts_png_channels_by_colour_type_depth_and_transparency() {
    let limits = UploadLimits::default();
    let decoded = |png: &[u8]| inspect(png, &limits).map(|i| i.decoded_bytes);
    // Grey 1 byte, grey with alpha 2, RGB 3, RGBA 4; 16 bits double them.
    for (depth, colour, channels, bytes) in [
        (8, 0, 1, 10_000),
        (16, 0, 1, 20_000),
        (8, 4, 2, 20_000),
        (8, 2, 3, 30_000),
        (16, 2, 3, 60_000),
        (8, 6, 4, 40_000),
        (16, 6, 4, 80_000),
    ] {
        let png = zero_png(100, 100, depth, colour, channels);
        assert_eq!(
            decoded(&png).unwrap(),
            bytes,
            "depth {depth} colour {colour}"
        );
    }
    // Palette entries decode to RGB, and a transparency chunk adds alpha.
    let palette = png_claiming_with(100, 100, 8, 3, &[png_chunk(b"PLTE", &[0, 0, 0])]);
    assert_eq!(decoded(&palette).unwrap(), 30_000);
    let transparent = png_claiming_with(
        100,
        100,
        8,
        3,
        &[png_chunk(b"PLTE", &[0, 0, 0]), png_chunk(b"tRNS", &[0])],
    );
    assert_eq!(decoded(&transparent).unwrap(), 40_000);
    let grey = png_claiming_with(100, 100, 4, 0, &[png_chunk(b"tRNS", &[0, 0])]);
    assert_eq!(
        decoded(&grey).unwrap(),
        20_000,
        "4-bit grey decodes to 8 bits, with alpha"
    );
    // The limit is on the product: RGB passes, the same pixels with alpha do not.
    let strict = UploadLimits {
        max_decoded_bytes: 30_000,
        ..UploadLimits::default()
    };
    assert!(inspect(&zero_png(100, 100, 8, 2, 3), &strict).is_ok());
    assert!(matches!(
        inspect(&transparent, &strict),
        Err(DocumentError::TooMuchData {
            decoded_bytes: 40_000,
            max_decoded_bytes: 30_000
        })
    ));
    // Combinations the format forbids are broken headers.
    for (depth, colour) in [(4, 2), (16, 3), (8, 5), (3, 0)] {
        let png = png_claiming_with(10, 10, depth, colour, &[]);
        assert!(
            matches!(refusal(&png), DocumentError::Truncated),
            "depth {depth} colour {colour}"
        );
    }
}

/// A PNG header with the given depth and colour type and chunks before a few bytes of data.
fn png_claiming_with(
    width: u32,
    height: u32,
    depth: u8,
    colour: u8,
    chunks: &[Vec<u8>],
) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[depth, colour, 0, 0, 0]);
    let mut out = PNG_MAGIC.to_vec();
    out.extend_from_slice(&png_chunk(b"IHDR", &ihdr));
    for chunk in chunks {
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&png_chunk(b"IDAT", b"\x78\x9c\x03\x00\x00\x00\x00\x01"));
    out.extend_from_slice(&png_chunk(b"IEND", &[]));
    out
}

/// A JPEG's structure around a frame header of the given precision, size and components.
fn jpeg_frame(precision: u8, width: u16, height: u16, components: u8) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xC1];
    out.extend_from_slice(&(8 + 3 * u16::from(components)).to_be_bytes());
    out.push(precision);
    out.extend_from_slice(&height.to_be_bytes());
    out.extend_from_slice(&width.to_be_bytes());
    out.push(components);
    for id in 1..=components {
        out.extend_from_slice(&[id, 0x11, 0]);
    }
    out.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0]);
    out.extend_from_slice(&[0x12, 0x34, 0xFF, 0x00, 0x56]);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

#[test]
fn counts_jpeg_components_and_precision() {
    let limits = UploadLimits::default();
    let decoded = |jpeg: &[u8]| inspect(jpeg, &limits).map(|i| i.decoded_bytes);
    assert_eq!(
        decoded(&jpeg_frame(8, 3_400, 3_400, 3)).unwrap(),
        34_680_000
    );
    assert_eq!(decoded(&jpeg_frame(8, 2_000, 2_000, 1)).unwrap(), 4_000_000);
    // 12 and 16 bits take two bytes a sample.
    assert_eq!(
        decoded(&jpeg_frame(12, 2_000, 2_000, 1)).unwrap(),
        8_000_000
    );
    assert_eq!(
        decoded(&jpeg_frame(16, 2_000, 2_000, 3)).unwrap(),
        24_000_000
    );
    // CMYK: four components, so 3400 × 3400 goes over where RGB stays under.
    assert!(matches!(
        decoded(&jpeg_frame(8, 3_400, 3_400, 4)),
        Err(DocumentError::TooMuchData {
            decoded_bytes: 46_240_000,
            ..
        })
    ));
    assert!(matches!(
        decoded(&jpeg_frame(16, 3_000, 3_000, 3)),
        Err(DocumentError::TooMuchData {
            decoded_bytes: 54_000_000,
            ..
        })
    ));
    assert!(decoded(&jpeg_frame(8, 3_000, 3_000, 3)).is_ok());
    // No components, more than four, or a length that does not match them: broken.
    for jpeg in [
        jpeg_frame(8, 10, 10, 0),
        jpeg_frame(8, 10, 10, 5),
        jpeg_frame(0, 10, 10, 3),
    ] {
        assert!(matches!(refusal(&jpeg), DocumentError::Truncated));
    }
    let mut long = jpeg_frame(8, 10, 10, 3);
    long[5] += 1;
    long.insert(4 + 2 + 6 + 9, 0);
    assert!(matches!(refusal(&long), DocumentError::Truncated));
}

#[test]
fn a_12_megapixel_phone_photo_passes_upright() {
    let photo = with_segments(
        &encode_jpeg(&image::RgbImage::new(4_032, 3_024)),
        &[exif_app1(6, b"")],
    );
    let limits = UploadLimits::default();
    let inspection = inspect(&photo, &limits).unwrap();
    assert_eq!(inspection.decoded_bytes, 4_032 * 3_024 * 3);
    let clean = sanitize(&photo, &limits).unwrap();
    assert_eq!((clean.width, clean.height), (3_024, 4_032));
}
