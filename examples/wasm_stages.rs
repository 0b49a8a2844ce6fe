//! The decode time and per-stage timings of the batch pipeline, in WebAssembly: build with
//! `scripts/wasm-stages.sh IMAGE [MASK]`, which runs this in Node on the same wasm the browser
//! gets (SIMD on). On native it runs the same stages directly.

use fluocount::{
    count::{
        pipeline::{analyze_prepared, prepare},
        presets::Collection,
        scoring::{mask_of, score},
    },
    imaging::{
        DecodeLimits, decode,
        threshold::local::{LocalMethod, LocalOptions, local_threshold},
    },
    util::clock::now_ms,
    view::render::labelled_thumbnail,
};

/// Timings of `runs` passes over `image` (and `mask`), one line per pass.
pub fn stages(image: &[u8], mask: &[u8], runs: u32) -> String {
    let limits = DecodeLimits::default();
    let mut out = String::new();
    for _ in 0..runs {
        let t0 = now_ms();
        let Ok(img) = decode(image, &limits) else {
            return "the image could not be decoded".into();
        };
        let t1 = now_ms();
        let params = Collection::Yellow.preset();
        let prepared = prepare(&img, &params);
        let analysis = analyze_prepared(&prepared, &params);
        let t2 = now_ms();
        let (scored, mask_split) = if mask.is_empty() {
            (None, String::new())
        } else {
            let m = decode(mask, &limits).ok();
            let ta = now_ms();
            let truth = m.as_ref().map(mask_of);
            let tb = now_ms();
            let s = truth.and_then(|t| score(&analysis.components, &t, Default::default()).ok());
            let tc = now_ms();
            (
                s,
                format!(
                    "decode {:.1}, mask_of {:.1}, score {:.1}",
                    ta - t2,
                    tb - ta,
                    tc - tb
                ),
            )
        };
        let t3 = now_ms();
        let thumb = labelled_thumbnail(&img, &analysis.labels, 160).map_or(0, |t| t.len());
        let t4 = now_ms();
        let st: Vec<String> = analysis
            .timings
            .iter()
            .map(|t| format!("{} {:.1}", t.stage, t.ms))
            .collect();
        let plane = fluocount::imaging::channel::intensity(&img, params.channel);
        let mut local = Vec::new();
        for method in [LocalMethod::Mean, LocalMethod::Phansalkar] {
            let t = now_ms();
            let mask = local_threshold(
                &plane,
                &LocalOptions {
                    method,
                    radius: 15,
                    p1: None,
                    p2: None,
                },
            );
            local.push(format!(
                "{method} {:.1} ({} px)",
                now_ms() - t,
                mask.count_ones()
            ));
        }
        let t = now_ms();
        let detected = fluocount::count::presets::detect_collection(&img);
        local.push(format!("detect {:.1} ({detected:?})", now_ms() - t));
        let t = now_ms();
        let described = img.describe();
        local.push(format!("describe {:.1} ({described})", now_ms() - t));
        out += &format!("local: {}\n", local.join(", "));
        out += &format!(
            "decode {:.1} | analysis {:.1} ({}) | mask+score {:.1} ({mask_split}; tp {:?}) | thumb {:.1} ({} B) | total {:.1}\n",
            t1 - t0,
            t2 - t1,
            st.join(", "),
            t3 - t2,
            scored.map(|s| s.tp),
            t4 - t3,
            thumb,
            t4 - t0
        );
    }
    out
}

/// Decodes `bytes` with the app's decoder and returns 8-bit RGBA (alpha 255 where the file has
/// none), or nothing when the file is not an 8-bit image; for e2e/decode-bench.mjs, which
/// compares this with the browser's WebCodecs `ImageDecoder`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn wasm_decode_rgba(bytes: &[u8]) -> Vec<u8> {
    use fluocount::imaging::{Layout, Pixels};
    let Ok(img) = decode(bytes, &DecodeLimits::default()) else {
        return Vec::new();
    };
    let Pixels::U8(p) = img.pixels() else {
        return Vec::new();
    };
    let n = img.layout().channels();
    p.chunks_exact(n)
        .flat_map(|px| match img.layout() {
            Layout::Gray => [px[0], px[0], px[0], 255],
            Layout::GrayAlpha => [px[0], px[0], px[0], px[1]],
            Layout::Rgb => [px[0], px[1], px[2], 255],
            Layout::Rgba => [px[0], px[1], px[2], px[3]],
        })
        .collect()
}

/// The time the app's decoder takes on `bytes`, in ms (what a batch worker spends), or NaN when
/// they do not decode.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn wasm_decode_ms(bytes: &[u8]) -> f64 {
    let t = now_ms();
    match decode(bytes, &DecodeLimits::default()) {
        Ok(img) => {
            let ms = now_ms() - t;
            drop(img);
            ms
        }
        Err(_) => f64::NAN,
    }
}

/// [`stages`] from JavaScript: the timings of `runs` passes over `image` (and `mask`), one line per pass.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn wasm_stages(image: &[u8], mask: &[u8], runs: u32) -> String {
    stages(image, mask, runs)
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let read = |p: Option<&String>| p.map_or(Ok(Vec::new()), std::fs::read);
        match (read(args.first()), read(args.get(1))) {
            (Ok(image), Ok(mask)) if !image.is_empty() => print!("{}", stages(&image, &mask, 5)),
            _ => eprintln!("usage: wasm_stages IMAGE [MASK]"),
        }
    }
}
