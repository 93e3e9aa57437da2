//! Checks on the raw upload, before any decoder sees it: the type from the bytes (never the
//! file name), other formats hidden in the file, the structure of the image, and its size from
//! the header, in pixels and in decoded bytes.
//!
//! The decoded size counts what the decoder will hold: pixels × channels × bytes per channel.
//! Pixels alone let a small file through that decodes to several times a photo's memory: a
//! 6000×6000 PNG of 16-bit RGBA is 36 MP, under the pixel limit, and 288 MB once decoded.

use platform::config::DocumentsConfig;

use crate::DocumentError;

const JPEG_MAGIC: &[u8] = &[0xFF, 0xD8, 0xFF];
const PNG_MAGIC: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
const PDF_MAGIC: &[u8] = b"%PDF-";
const ZIP_LOCAL_HEADER: &[u8] = b"PK\x03\x04";
const ZIP_END_OF_DIRECTORY: &[u8] = b"PK\x05\x06";
/// The end-of-directory record: 22 bytes and a comment of at most 65,535.
const ZIP_END_RECORD_LEN: usize = 22;
/// PDF readers accept the header anywhere in the first kilobyte.
const PDF_HEADER_WINDOW: usize = 1024;

/// Markup and script openings that a browser or an interpreter would act on, lower case,
/// without the leading `<`.
const TAG_SIGNATURES: [(&[u8], &str); 5] = [
    (b"html", "HTML"),
    (b"script", "script"),
    (b"?php", "PHP"),
    (b"svg", "SVG"),
    (b"!doctype", "HTML"),
];

/// The image formats accepted for identity documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageKind {
    /// JPEG: what phone cameras produce.
    Jpeg,
    /// PNG: what scanners and screenshots often produce.
    Png,
}

impl ImageKind {
    /// The media type, for `Content-Type` when the image is shown to staff.
    pub fn mime_type(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Png => "image/png",
        }
    }

    /// A stable code (`jpeg`, `png`) for database columns.
    pub fn code(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "jpeg",
            ImageKind::Png => "png",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "jpeg" => Some(ImageKind::Jpeg),
            "png" => Some(ImageKind::Png),
            _ => None,
        }
    }
}

/// Upload limits, from the `[documents]` configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UploadLimits {
    /// Largest accepted file, in bytes.
    pub max_bytes: u64,
    /// Longest accepted side, in pixels.
    pub max_side: u32,
    /// Most accepted pixels (width × height).
    pub max_pixels: u64,
    /// Most accepted bytes once decoded (see [`Inspection::decoded_bytes`]).
    pub max_decoded_bytes: u64,
}

impl UploadLimits {
    /// The limits configured in `[documents]`.
    pub fn from_config(config: &DocumentsConfig) -> Self {
        Self {
            max_bytes: config.max_bytes,
            max_side: config.max_side,
            max_pixels: config.max_pixels,
            max_decoded_bytes: config.max_decoded_bytes,
        }
    }
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self::from_config(&DocumentsConfig::default())
    }
}

/// What the checks learnt about an acceptable upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inspection {
    /// The format, from the bytes.
    pub kind: ImageKind,
    /// Width from the header (before any EXIF rotation).
    pub width: u32,
    /// Height from the header (before any EXIF rotation).
    pub height: u32,
    /// Length of the image proper; bytes after it (phones append some) are not part of it.
    pub image_len: usize,
    /// Bytes of the decoded image, from the header: width × height × channels × bytes per
    /// channel. Channels are the JPEG frame's components (4 for CMYK) or the PNG colour type's,
    /// with the alpha channel a transparency chunk adds; a channel of more than 8 bits takes 2
    /// bytes (16-bit PNG, 12- and 16-bit JPEG).
    pub decoded_bytes: u64,
}

/// The type of an upload from its first bytes.
///
/// PDF is refused with its own error rather than accepted: making a PDF safe means rendering it
/// to an image, which needs a PDF renderer (a large parser of an untrusted, scriptable format)
/// that we do not ship.
pub fn sniff(bytes: &[u8]) -> Result<ImageKind, DocumentError> {
    if bytes.is_empty() {
        Err(DocumentError::Empty)
    } else if bytes.starts_with(JPEG_MAGIC) {
        Ok(ImageKind::Jpeg)
    } else if bytes.starts_with(PNG_MAGIC) {
        Ok(ImageKind::Png)
    } else if find(&bytes[..bytes.len().min(PDF_HEADER_WINDOW)], PDF_MAGIC) {
        Err(DocumentError::Pdf)
    } else {
        Err(DocumentError::UnsupportedType)
    }
}

/// Every check that needs no decoder, cheapest first: size, type, hidden formats, structure
/// (complete, not truncated), then pixel count and decoded bytes from the header.
pub fn inspect(bytes: &[u8], limits: &UploadLimits) -> Result<Inspection, DocumentError> {
    if bytes.is_empty() {
        return Err(DocumentError::Empty);
    }
    if bytes.len() as u64 > limits.max_bytes {
        return Err(DocumentError::TooLarge {
            max_bytes: limits.max_bytes,
        });
    }
    let kind = sniff(bytes)?;
    if let Some(signature) = foreign_signature(bytes) {
        return Err(DocumentError::Polyglot { signature });
    }
    let layout = match kind {
        ImageKind::Jpeg => jpeg_layout(bytes),
        ImageKind::Png => png_layout(bytes),
    }
    .ok_or(DocumentError::Truncated)?;
    if carries_zip_archive(bytes, layout.end) {
        return Err(DocumentError::Polyglot { signature: "ZIP" });
    }
    let pixels = u64::from(layout.width) * u64::from(layout.height);
    if layout.width > limits.max_side
        || layout.height > limits.max_side
        || pixels > limits.max_pixels
    {
        return Err(DocumentError::TooManyPixels {
            width: layout.width,
            height: layout.height,
        });
    }
    let decoded_bytes = pixels * u64::from(layout.bytes_per_pixel);
    if decoded_bytes > limits.max_decoded_bytes {
        return Err(DocumentError::TooMuchData {
            decoded_bytes,
            max_decoded_bytes: limits.max_decoded_bytes,
        });
    }
    Ok(Inspection {
        kind,
        width: layout.width,
        height: layout.height,
        image_len: layout.end,
        decoded_bytes,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether a ZIP archive rides along: a local file header after the image's end, or an
/// end-of-directory record whose comment ends exactly at the end of the file (where archive
/// readers look for it). The four-byte local header alone is not looked for inside the image
/// data: one 10 MB photo in a few hundred contains it by chance, and no reader finds an archive
/// without its directory record.
fn carries_zip_archive(bytes: &[u8], image_end: usize) -> bool {
    if bytes
        .get(image_end..)
        .is_some_and(|tail| find(tail, ZIP_LOCAL_HEADER))
    {
        return true;
    }
    let window = bytes
        .len()
        .saturating_sub(ZIP_END_RECORD_LEN + usize::from(u16::MAX));
    (window..bytes.len().saturating_sub(ZIP_END_RECORD_LEN - 1)).any(|at| {
        bytes[at..].starts_with(ZIP_END_OF_DIRECTORY)
            && bytes
                .get(at + 20..at + 22)
                .map(|n| usize::from(u16::from_le_bytes([n[0], n[1]])))
                .is_some_and(|comment| at + ZIP_END_RECORD_LEN + comment == bytes.len())
    })
}

/// The first other format found anywhere in the file: a PDF header, or an HTML, SVG, script or
/// PHP opening (ASCII case-insensitive). Archives are found by [`carries_zip_archive`].
///
/// A tag counts only when its name ends as a browser's tokenizer ends it (white space, `/`,
/// `>`, or the end of the file), and PHP requires white space after `<?php`: `<svgz` is no SVG,
/// and random compressed bytes then almost never look like markup.
fn foreign_signature(bytes: &[u8]) -> Option<&'static str> {
    for (i, &byte) in bytes.iter().enumerate() {
        let rest = &bytes[i..];
        match byte {
            b'%' if rest.starts_with(PDF_MAGIC) => return Some("PDF"),
            b'<' => {
                let after = &rest[1..];
                for (name, signature) in TAG_SIGNATURES {
                    if after.len() >= name.len()
                        && after[..name.len()].eq_ignore_ascii_case(name)
                        && after
                            .get(name.len())
                            .is_none_or(|&c| c.is_ascii_whitespace() || c == b'/' || c == b'>')
                    {
                        return Some(signature);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// Where the image ends and how large it says it is.
struct Layout {
    end: usize,
    width: u32,
    height: u32,
    /// Channels × bytes per channel of the decoded image.
    bytes_per_pixel: u8,
}

/// A channel of more than 8 bits is held in 2 bytes.
fn bytes_per_sample(bits: u8) -> u8 {
    if bits > 8 { 2 } else { 1 }
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Walks a JPEG's marker segments from SOI by their lengths, so that an end-of-image marker
/// inside an EXIF thumbnail is skipped with its segment, then through the entropy-coded data of
/// each scan, up to the real end-of-image marker. `None` when it is missing or the structure is
/// broken, including a frame header whose length does not match its 1 to 4 components.
fn jpeg_layout(bytes: &[u8]) -> Option<Layout> {
    let mut at = 2;
    let mut frame: Option<(u32, u32, u8)> = None;
    let mut scanned = false;
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        while *bytes.get(at)? == 0xFF {
            at += 1;
        }
        let marker = bytes[at];
        at += 1;
        match marker {
            0xD9 => {
                let (width, height, bytes_per_pixel) = frame.filter(|_| scanned)?;
                return Some(Layout {
                    end: at,
                    width,
                    height,
                    bytes_per_pixel,
                });
            }
            // Restart markers and TEM stand alone, without a length.
            0xD0..=0xD7 | 0x01 => continue,
            0x00 | 0xD8 => return None,
            _ => {}
        }
        let length = usize::from(be16(bytes, at)?);
        if length < 2 || at + length > bytes.len() {
            return None;
        }
        // Start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC).
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            if frame.is_some() || length < 8 {
                return None;
            }
            let precision = bytes[at + 2];
            let height = u32::from(be16(bytes, at + 3)?);
            let width = u32::from(be16(bytes, at + 5)?);
            let components = bytes[at + 7];
            if width == 0
                || height == 0
                || !(1..=16).contains(&precision)
                || !(1..=4).contains(&components)
                || length != 8 + 3 * usize::from(components)
            {
                return None;
            }
            frame = Some((width, height, components * bytes_per_sample(precision)));
        }
        at += length;
        if marker == 0xDA {
            frame?;
            scanned = true;
            at = end_of_entropy_coded_data(bytes, at)?;
        }
    }
}

/// The position of the marker that ends a scan's entropy-coded data: the first `FF` not
/// followed by a stuffed zero or a restart marker.
fn end_of_entropy_coded_data(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        at += bytes.get(at..)?.iter().position(|&b| b == 0xFF)?;
        match *bytes.get(at + 1)? {
            0x00 | 0xD0..=0xD7 => at += 2,
            _ => return Some(at),
        }
    }
}

/// Channels of a PNG colour type with a valid bit depth, as the decoder expands them: palette
/// entries become RGB, depths below 8 become 8. `None` for a combination the format forbids.
fn png_channels(colour_type: u8, bit_depth: u8) -> Option<u8> {
    match (colour_type, bit_depth) {
        (0, 1 | 2 | 4 | 8 | 16) => Some(1),
        (3, 1 | 2 | 4 | 8) => Some(3),
        (2, 8 | 16) => Some(3),
        (4, 8 | 16) => Some(2),
        (6, 8 | 16) => Some(4),
        _ => None,
    }
}

/// Walks a PNG's chunks from the signature: IHDR first with its 13 bytes and a valid colour
/// type and bit depth, every length within the file and the format's 2³¹−1 bound, up to IEND.
/// `None` when IEND is never reached or a chunk is malformed.
fn png_layout(bytes: &[u8]) -> Option<Layout> {
    let mut at = PNG_MAGIC.len();
    let mut size: Option<(u32, u32)> = None;
    let mut channels = 0;
    let mut sample_bytes = 1;
    let mut alpha = false;
    loop {
        let length = be32(bytes, at)?;
        if length > 0x7FFF_FFFF {
            return None;
        }
        let kind = bytes.get(at + 4..at + 8)?;
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        let data = at + 8;
        let end = data.checked_add(length as usize)?.checked_add(4)?;
        if end > bytes.len() {
            return None;
        }
        match (kind, size) {
            (b"IHDR", None) if length == 13 => {
                let width = be32(bytes, data)?;
                let height = be32(bytes, data + 4)?;
                let (bit_depth, colour_type) = (bytes[data + 8], bytes[data + 9]);
                if width == 0 || height == 0 {
                    return None;
                }
                channels = png_channels(colour_type, bit_depth)?;
                sample_bytes = bytes_per_sample(bit_depth);
                alpha = colour_type == 4 || colour_type == 6;
                size = Some((width, height));
            }
            (_, None) | (b"IHDR", Some(_)) => return None,
            // Grey, RGB and palette images gain an alpha channel from a transparency chunk.
            (b"tRNS", Some(_)) if !alpha => {
                alpha = true;
                channels += 1;
            }
            (b"IEND", Some((width, height))) => {
                return Some(Layout {
                    end,
                    width,
                    height,
                    bytes_per_pixel: channels * sample_bytes,
                });
            }
            _ => {}
        }
        at = end;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_codes() {
        for kind in [ImageKind::Jpeg, ImageKind::Png] {
            assert_eq!(ImageKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(ImageKind::from_code("gif"), None);
        assert_eq!(ImageKind::Png.mime_type(), "image/png");
    }

    #[test]
    fn tags_count_only_with_a_delimiter_and_in_any_case() {
        assert_eq!(foreign_signature(b"xx<SVG onload=1>"), Some("SVG"));
        assert_eq!(foreign_signature(b"xx<sCrIpT>"), Some("script"));
        assert_eq!(foreign_signature(b"xx<svg/onload=1>"), Some("SVG"));
        assert_eq!(foreign_signature(b"xx<?php\n"), Some("PHP"));
        assert_eq!(foreign_signature(b"xx<!DOCTYPE html>"), Some("HTML"));
        assert_eq!(foreign_signature(b"xx<html"), Some("HTML"));
        assert_eq!(foreign_signature(b"xx<svgz <scripts <htmlx"), None);
        assert_eq!(foreign_signature(b"PK\x03\x03 %PDF"), None);
        assert_eq!(foreign_signature(b"..PK\x03\x04"), None);
        assert_eq!(foreign_signature(b"..%PDF-1.7"), Some("PDF"));
    }

    #[test]
    fn archives_are_found_after_the_image_or_by_their_directory_record() {
        assert!(carries_zip_archive(b"imagePK\x03\x04rest", 5));
        assert!(
            !carries_zip_archive(b"imaPK\x03\x04ge", 9),
            "chance bytes inside the image"
        );
        let mut with_record = b"image data".to_vec();
        with_record.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0\0\0\0\0\0\0\0\0\x03\0abc");
        assert!(carries_zip_archive(&with_record, with_record.len()));
        with_record.push(b'!');
        assert!(
            !carries_zip_archive(&with_record, with_record.len()),
            "comment length must end the file"
        );
    }

    #[test]
    fn a_pdf_header_within_the_first_kilobyte_is_a_pdf() {
        let mut bytes = vec![b' '; 1000];
        bytes.extend_from_slice(b"%PDF-1.4");
        assert!(matches!(sniff(&bytes), Err(DocumentError::Pdf)));
        let mut late = vec![b' '; 2000];
        late.extend_from_slice(b"%PDF-1.4");
        assert!(matches!(sniff(&late), Err(DocumentError::UnsupportedType)));
    }

    #[test]
    fn jpeg_walk_refuses_broken_segments() {
        // SOI, then a segment whose length runs past the end.
        assert!(jpeg_layout(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x20, 0x00]).is_none());
        // SOI then EOI: no frame, no scan.
        assert!(jpeg_layout(&[0xFF, 0xD8, 0xFF, 0xD9]).is_none());
        // A segment length below two.
        assert!(jpeg_layout(&[0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x01, 0xFF, 0xD9]).is_none());
    }

    #[test]
    fn jpeg_walk_follows_several_scans_with_stuffing_and_restart_markers() {
        let mut bytes = vec![0xFF, 0xD8];
        // SOF2 (progressive): precision 8, height 0x0102, width 0x0304, one component.
        bytes.extend_from_slice(&[0xFF, 0xC2, 0, 11, 8, 0x01, 0x02, 0x03, 0x04, 1, 1, 0x11, 0]);
        for _ in 0..2 {
            bytes.extend_from_slice(&[0xFF, 0xC4, 0, 4, 0xAA, 0xBB]);
            bytes.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0]);
            bytes.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56, 0xFF, 0x00]);
        }
        bytes.extend_from_slice(&[0xFF, 0xFF, 0xD9]);
        let end = bytes.len();
        bytes.extend_from_slice(b"appended");
        let layout = jpeg_layout(&bytes).unwrap();
        assert_eq!(
            (layout.end, layout.width, layout.height),
            (end, 0x0304, 0x0102)
        );
        assert!(jpeg_layout(&bytes[..end - 1]).is_none());
        // A second frame header is refused.
        let mut two_frames = bytes[..15].to_vec();
        two_frames.extend_from_slice(&bytes[2..]);
        assert!(jpeg_layout(&two_frames).is_none());
    }

    #[test]
    fn png_walk_refuses_a_first_chunk_other_than_ihdr() {
        let mut bytes = PNG_MAGIC.to_vec();
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        bytes.extend_from_slice(b"IEND");
        bytes.extend_from_slice(&[0xAE, 0x42, 0x60, 0x82]);
        assert!(png_layout(&bytes).is_none());
    }
}
