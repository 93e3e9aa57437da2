//! What cleaning an identity document costs at the sizes customers upload: a 12-megapixel
//! phone photo, a 2-megapixel photo and an A4 page scanned at 300 dpi. For each: the checks
//! before decoding ([`documents::inspect`]), the decode and re-encode ([`documents::sanitize`]),
//! and storing and reading back the clean image ([`documents::Vault`], a local directory).
//!
//! The images are made here, deterministically: smooth colour fields at two scales with sensor
//! noise on top, so that they compress to the sizes of real uploads (the 12 MP photo to about
//! 4 MB) instead of the few kilobytes of a flat test pattern.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::time::Duration;
use testkit::rng::Rng;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, criterion_group, criterion_main};
use documents::{CleanImage, UploadLimits, Vault, inspect, sanitize};
use image::{Rgb, RgbImage};
use platform::config::DocumentsConfig;
use platform::crypto::DataKey;
use platform::ids::DocumentId;
use testkit::images::{encode_jpeg_at, encode_png, exif_app1, with_segments};

/// Quality of the photos as the phone saved them (camera apps write 90–95). The encoder is the
/// one `sanitize` uses, without chroma subsampling; phones subsample (4:2:0), so their file of
/// the same picture is smaller.
const PHONE_JPEG_QUALITY: u8 = 92;

/// Random colours on a grid of `cell`-pixel squares, blended smoothly in between.
struct ValueNoise {
    cell: f32,
    columns: usize,
    nodes: Vec<[f32; 3]>,
}

impl ValueNoise {
    fn new(rng: &mut Rng, width: u32, height: u32, cell: f32) -> Self {
        let columns = (width as f32 / cell) as usize + 2;
        let rows = (height as f32 / cell) as usize + 2;
        let nodes = (0..columns * rows)
            .map(|_| [rng.unit_f32(), rng.unit_f32(), rng.unit_f32()])
            .collect();
        Self {
            cell,
            columns,
            nodes,
        }
    }

    fn at(&self, x: u32, y: u32) -> [f32; 3] {
        let (fx, fy) = (x as f32 / self.cell, y as f32 / self.cell);
        let (cx, cy) = (fx as usize, fy as usize);
        let smooth = |t: f32| t * t * (3.0 - 2.0 * t);
        let (tx, ty) = (smooth(fx - cx as f32), smooth(fy - cy as f32));
        let node = |dx: usize, dy: usize| self.nodes[(cy + dy) * self.columns + cx + dx];
        let (a, b, c, d) = (node(0, 0), node(1, 0), node(0, 1), node(1, 1));
        let mut out = [0.0; 3];
        for (i, v) in out.iter_mut().enumerate() {
            let top = a[i] + (b[i] - a[i]) * tx;
            let bottom = c[i] + (d[i] - c[i]) * tx;
            *v = top + (bottom - top) * ty;
        }
        out
    }
}

/// A photograph-like scene: a lit gradient, large shapes, finer texture and sensor noise
/// (`noise` is its standard deviation in 8-bit levels). Shapes scale with the width, so the
/// same seed gives the same scene at any resolution.
fn photo(width: u32, height: u32, seed: u64, noise: f32) -> RgbImage {
    let mut rng = Rng::new(seed);
    let coarse = ValueNoise::new(&mut rng, width, height, width as f32 / 8.0);
    let fine = ValueNoise::new(&mut rng, width, height, width as f32 / 120.0);
    RgbImage::from_fn(width, height, |x, y| {
        let light = 0.6 + 0.4 * (x + y) as f32 / (width + height) as f32;
        let (big, small) = (coarse.at(x, y), fine.at(x, y));
        let grain = rng.noise() * noise;
        let mut pixel = [0u8; 3];
        for (i, p) in pixel.iter_mut().enumerate() {
            let v = (big[i] * 190.0 + small[i] * 50.0) * light + grain + rng.noise() * noise * 0.3;
            *p = v.clamp(0.0, 255.0) as u8;
        }
        Rgb(pixel)
    })
}

/// An A4 page at 300 dpi (2480×3508) as a scanner saves it: faintly uneven paper, an identity
/// card (85.6×54 mm) near the top, and lines of dark "text" below. The paper has no pixel noise:
/// with even a little (standard deviation 0.3 levels) the PNG grows past the 10 MB limit.
fn scan(seed: u64) -> RgbImage {
    let (width, height) = (2480, 3508);
    let mut rng = Rng::new(seed);
    let card = photo(1011, 638, seed ^ 0x5EED, 3.0);
    let (card_x, card_y) = (300, 300);
    let shading = ValueNoise::new(&mut rng, width, height, 400.0);
    RgbImage::from_fn(width, height, |x, y| {
        if (card_x..card_x + card.width()).contains(&x)
            && (card_y..card_y + card.height()).contains(&y)
        {
            return *card.get_pixel(x - card_x, y - card_y);
        }
        let in_text = (1200..3200).contains(&y)
            && (y - 1200) % 60 < 28
            && (300..2180).contains(&x)
            && (x / 23 + y / 60) % 7 != 0
            && (x * 7 + y * 3) % 11 < 6;
        let base = if in_text { 40.0 } else { 236.0 };
        let shade = shading.at(x, y);
        let mut pixel = [0u8; 3];
        for (i, p) in pixel.iter_mut().enumerate() {
            *p = (base + shade[i] * 8.0).round().clamp(0.0, 255.0) as u8;
        }
        Rgb(pixel)
    })
}

/// One upload to measure.
struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    /// `sanitize` takes long: flat sampling (the same number of runs in every sample) and a longer
    /// measurement.
    heavy: bool,
}

fn cases() -> Vec<Case> {
    // The photos carry EXIF as phones write it: orientation 6 (held upright, stored sideways)
    // and a GPS position; cleaning turns them and drops the metadata.
    let exif = exif_app1(6, b"");
    vec![
        Case {
            name: "12 MP JPEG photo 4000x3000",
            bytes: with_segments(
                &encode_jpeg_at(&photo(4000, 3000, 1, 5.0), PHONE_JPEG_QUALITY),
                std::slice::from_ref(&exif),
            ),
            heavy: true,
        },
        Case {
            name: "2 MP JPEG photo 1600x1200",
            bytes: with_segments(
                &encode_jpeg_at(&photo(1600, 1200, 2, 3.0), PHONE_JPEG_QUALITY),
                std::slice::from_ref(&exif),
            ),
            heavy: false,
        },
        Case {
            name: "A4 300 dpi PNG scan 2480x3508",
            bytes: encode_png(&scan(3)),
            heavy: true,
        },
    ]
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>, heavy: bool) {
    group.sample_size(10);
    if heavy {
        group
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5));
    } else {
        group
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
    }
}

fn bench(c: &mut Criterion) {
    let limits = UploadLimits::default();
    let cases = cases();
    let cleaned: Vec<CleanImage> = cases
        .iter()
        .map(|case| sanitize(&case.bytes, &limits).unwrap())
        .collect();
    for (case, clean) in cases.iter().zip(&cleaned) {
        let found = inspect(&case.bytes, &limits).unwrap();
        eprintln!(
            "{}: upload {} bytes ({}x{}), clean {} bytes ({}x{}), {:.0} % of the upload",
            case.name,
            case.bytes.len(),
            found.width,
            found.height,
            clean.bytes.len(),
            clean.width,
            clean.height,
            clean.bytes.len() as f64 * 100.0 / case.bytes.len() as f64,
        );
    }

    let mut group = c.benchmark_group("inspect");
    configure(&mut group, false);
    for case in &cases {
        group.bench_function(case.name, |b| {
            b.iter(|| inspect(black_box(&case.bytes), &limits).unwrap())
        });
    }
    group.finish();

    for case in &cases {
        let mut group = c.benchmark_group("sanitize");
        configure(&mut group, case.heavy);
        group.bench_function(case.name, |b| {
            b.iter(|| sanitize(black_box(&case.bytes), &limits).unwrap())
        });
        group.finish();
    }

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = DocumentsConfig {
        local_dir: Some(dir.path().join("documents")),
        ..DocumentsConfig::default()
    };
    let vault = Vault::from_config(&config, dir.path()).unwrap();
    let owner = DataKey::generate();
    let mut group = c.benchmark_group("vault put+get");
    configure(&mut group, false);
    for (case, clean) in cases.iter().zip(&cleaned) {
        let id = DocumentId::new();
        group.bench_function(case.name, |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let stored = vault.put(&owner, id, black_box(clean)).await.unwrap();
                    vault.get(&owner, id, &stored.object_key).await.unwrap()
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
