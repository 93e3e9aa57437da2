//! How long the dashboard's computations and a full CSV import take at the limits a customer
//! can reach: 1,000 assets, each valued monthly for five years (60,000 history entries).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use assets::csv_io::{self, Encoding};
use assets::{Category, HistoryEntry, Period, series};
use criterion::{Criterion, criterion_group, criterion_main};
use platform::ids::AssetId;
use time::{Duration, macros::date};

fn history(assets: usize, months: i64) -> Vec<HistoryEntry> {
    let start = date!(2021 - 11 - 21);
    let ids: Vec<AssetId> = (0..assets).map(|_| AssetId::new()).collect();
    let mut out = Vec::new();
    let mut seq = 0;
    for m in 0..months {
        for (i, id) in ids.iter().enumerate() {
            seq += 1;
            out.push(HistoryEntry {
                seq,
                asset: *id,
                category: Category::ALL[i % Category::ALL.len()],
                amount: 1_000_000 + m * 1_000 + i as i64,
                valuation_date: start + Duration::days(m * 30),
                deleted: false,
            });
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let today = date!(2026 - 11 - 21);
    let big = history(1000, 60);
    for period in [Period::Day, Period::Month, Period::Year] {
        c.bench_function(
            &format!("net worth series, 60k history entries, {period:?}"),
            |b| b.iter(|| series(black_box(&big), period, today)),
        );
    }
    let lines: String = std::iter::once("区分,名称,金融機関,金額,評価日,メモ\n".to_owned())
        .chain((0..1000).map(|i| {
            format!(
                "預金,普通預金{i},さくら銀行,{},2026-10-31,生活費\n",
                100_000 + i
            )
        }))
        .collect();
    c.bench_function("CSV import, 1,000 lines, UTF-8", |b| {
        b.iter(|| csv_io::import(black_box(lines.as_bytes()), Encoding::Auto, today).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
