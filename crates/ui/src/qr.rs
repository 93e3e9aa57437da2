//! QR codes as inline SVG (no image files, nothing the Content-Security-Policy forbids).

use qrcode::QrCode;
use qrcode::render::svg;

/// The text as a QR code, or `None` when it is too long for one.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_an_svg() {
        let out = super::svg("otpauth://totp/assetstatus:a?secret=AAAA").unwrap();
        assert!(out.contains("<svg") && out.contains("</svg>"));
        assert!(!out.contains("style="), "no inline styles");
    }
}
