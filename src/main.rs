//! The web app's entry point (built for wasm32 by Trunk).

#[cfg(target_arch = "wasm32")]
fn main() {
    fluocount::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("fluocount-web is the browser app: build and serve it with `make run` (Trunk).");
    eprintln!("For the command line, run `cargo run --release --bin fluocount -- help`.");
    std::process::exit(2);
}
