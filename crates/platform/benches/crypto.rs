//! The cost of encryption at rest per field, and of the blind index, which every login and
//! page with personal data pays.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use platform::crypto::DataKey;

fn bench(c: &mut Criterion) {
    let key = DataKey::generate();
    let name = "山田 太郎".as_bytes();
    let aad = b"customer:00000000-0000-0000-0000-000000000000:name_kanji";
    c.bench_function("seal a name field (AES-256-GCM)", |b| {
        b.iter(|| key.seal(black_box(name), aad))
    });
    let sealed = key.seal(name, aad);
    c.bench_function("open a name field", |b| {
        b.iter(|| key.open(black_box(&sealed), aad).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
