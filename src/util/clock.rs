//! A millisecond clock that works natively and in the browser (where `std::time::Instant` panics).

#[cfg(not(target_arch = "wasm32"))]
/// Milliseconds since an arbitrary fixed origin.
pub fn now_ms() -> f64 {
    use std::{sync::OnceLock, time::Instant};
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e3
}

#[cfg(target_arch = "wasm32")]
mod web {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        // `performance` exists in windows and workers alike.
        #[wasm_bindgen(js_namespace = performance, js_name = now)]
        pub fn performance_now() -> f64;
    }
}

#[cfg(target_arch = "wasm32")]
/// Milliseconds since the page started (`performance.now()`).
pub fn now_ms() -> f64 {
    web::performance_now()
}
