//! Criterion benchmarks of each stage and of the whole count pipeline on the default 1600x1200
//! synthetic image, with imageproc's equivalents as the peer in the same run.
//! Run with `cargo bench --bench pipeline` (or `make bench`).

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{Criterion, black_box};
    use fluocount::{
        count::{
            Params, analyze,
            presets::Collection,
            synth::{SynthParams, generate},
        },
        imaging::{
            Pixels,
            background::subtract_background,
            channel::intensity,
            diameter::estimate_diameter,
            fill::fill_holes,
            gaussian::gaussian_blur,
            histogram::histogram,
            label::{label, label_image, measure},
            morphology::{close, open},
            shape::shapes,
            threshold::local::{LocalMethod, LocalOptions, local_threshold},
            threshold::{otsu_level, threshold},
            watershed::{SplitOptions, split_touching},
        },
    };
    use imageproc::{distance_transform::Norm, region_labelling::Connectivity};

    pub fn benches(c: &mut Criterion) {
        let image = generate(&SynthParams::default()).image;
        let params = Params {
            sigma: 0.0,
            ..Params::default()
        };
        let plane = intensity(&image, params.channel);
        let level = otsu_level(&histogram(&plane));
        let mask = threshold(&plane, level);
        let opened = open(&mask, 2);
        let closed = close(&opened, 2);
        let filled = fill_holes(&closed);
        let comps = label(&filled, params.connectivity);

        let mut g = c.benchmark_group("stage");
        g.sample_size(30);
        g.bench_function("channel yellow", |b| {
            b.iter(|| intensity(black_box(&image), params.channel))
        });
        g.bench_function("histogram+otsu", |b| {
            b.iter(|| otsu_level(&histogram(black_box(&plane))))
        });
        g.bench_function("threshold", |b| {
            b.iter(|| threshold(black_box(&plane), level))
        });
        g.bench_function("open r2", |b| b.iter(|| open(black_box(&mask), 2)));
        g.bench_function("close r2", |b| b.iter(|| close(black_box(&opened), 2)));
        g.bench_function("fill holes", |b| b.iter(|| fill_holes(black_box(&closed))));
        g.bench_function("label+measure", |b| {
            b.iter(|| {
                let c = label(black_box(&filled), params.connectivity);
                measure(&c, &plane)
            })
        });
        g.bench_function("label image", |b| b.iter(|| label_image(black_box(&comps))));
        g.bench_function("gaussian sigma=1", |b| {
            b.iter(|| gaussian_blur(black_box(&plane), 1.0))
        });
        g.bench_function("background rolling ball r=50", |b| {
            b.iter(|| subtract_background(black_box(&plane), 50.0))
        });
        let phansalkar = LocalOptions {
            method: LocalMethod::Phansalkar,
            radius: 15,
            p1: None,
            p2: None,
        };
        g.bench_function("local phansalkar r=15", |b| {
            b.iter(|| local_threshold(black_box(&plane), &phansalkar))
        });
        let split_opts = SplitOptions {
            prominence: 1.0,
            min_distance: 10.0,
            min_seed_radius: 0.0,
        };
        g.bench_function("split (edt+maxima+watershed)", |b| {
            b.iter(|| split_touching(black_box(&filled), &split_opts))
        });
        let split_comps = label(&split_touching(&filled, &split_opts), params.connectivity);
        g.bench_function("diameter estimate", |b| {
            b.iter(|| estimate_diameter(black_box(&plane)))
        });
        g.bench_function("shapes", |b| {
            b.iter(|| shapes(black_box(&split_comps), params.connectivity))
        });
        g.finish();

        // The peer: imageproc 0.25 on the same image, the same steps where it has them
        // (it has no fill holes; its components give no statistics).
        let Pixels::U8(rgb) = image.pixels() else {
            return;
        };
        let rgb = image::RgbImage::from_raw(image.width(), image.height(), rgb.clone())
            .expect("synthetic image is 8-bit RGB");
        let mut g = c.benchmark_group("pipeline");
        g.sample_size(20);
        g.bench_function("fluocount analyze", |b| {
            b.iter(|| analyze(black_box(&image), &params))
        });
        let yellow = Collection::Yellow.preset();
        g.bench_function("fluocount analyze, yellow preset", |b| {
            b.iter(|| analyze(black_box(&image), &yellow))
        });
        g.bench_function("imageproc peer", |b| {
            b.iter(|| {
                let gray = image::GrayImage::from_fn(rgb.width(), rgb.height(), |x, y| {
                    let p = rgb.get_pixel(x, y);
                    image::Luma([((p[0] as u16 + p[1] as u16) / 2) as u8])
                });
                let t = imageproc::contrast::otsu_level(&gray);
                let bin = imageproc::contrast::threshold(
                    &gray,
                    t,
                    imageproc::contrast::ThresholdType::Binary,
                );
                let o = imageproc::morphology::open(&bin, Norm::L2, 2);
                let cl = imageproc::morphology::close(&o, Norm::L2, 2);
                imageproc::region_labelling::connected_components(
                    &cl,
                    Connectivity::Eight,
                    image::Luma([0u8]),
                )
            })
        });
        g.finish();
    }
}

/// Every benchmark (what `criterion_group!` writes, by hand: the macro's function is public and
/// undocumented, which the crate's lints refuse).
#[cfg(not(target_arch = "wasm32"))]
fn benches() {
    let mut c = criterion::Criterion::default().configure_from_args();
    native::benches(&mut c);
}
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
