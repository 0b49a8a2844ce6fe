//! The `fluocount` command line (native only).

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(fluocount::cli::run(std::env::args_os().skip(1).collect()));
}

#[cfg(target_arch = "wasm32")]
fn main() {}
