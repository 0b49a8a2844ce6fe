//! The worker's side: the entry points `worker.js` calls with one encoded request (and the files
//! it read), answered by this thread's [`Engine`]. The page runs the same engine itself when it
//! has no workers, or when one could not start ([`run_here`]).

use super::browser::read_bytes;
use crate::protocol::{
    batch::{MAX_FILE_BYTES, ReadFile, too_large},
    engine::{Engine, handle_bytes, handle_bytes_with_files},
    messages::{Request, Response},
};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, prelude::*};

thread_local! {
    /// The engine of this worker (unused on the page itself).
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// The worker's entry point: one encoded request in, one encoded response out.
///
/// The engine is taken out of its cell while it works, so that if a request ever traps, the next
/// one starts from a fresh engine instead of a cell left borrowed.
#[wasm_bindgen]
pub fn worker_handle(input: &[u8]) -> Vec<u8> {
    with_engine(|engine| handle_bytes(engine, input))
}

/// The worker's entry point for a request sent with files (a batch job's image and mask): the
/// worker read each into a `Uint8Array`, or gives its size when it is over the limit, or a string
/// saying why it could not be read.
#[wasm_bindgen]
pub fn worker_handle_files(input: &[u8], files: js_sys::Array) -> Vec<u8> {
    let read = files.iter().map(|f| read_result(&f)).collect();
    with_engine(|engine| handle_bytes_with_files(engine, input, read))
}

/// The training worker's entry point: one encoded [`Request::Train`] in, its encoded response
/// out; after each tree `progress` is called with an encoded [`Response::Progress`] (the page
/// shows it; to cancel, the page ends the worker).
#[wasm_bindgen]
pub fn worker_train(input: &[u8], progress: &js_sys::Function) -> Vec<u8> {
    with_engine(|engine| {
        match Request::decode(input) {
            Ok(req) => engine.handle_with_progress(req, |done, total| {
                let tick = Response::Progress {
                    done: u32::try_from(done).unwrap_or(u32::MAX),
                    total: u32::try_from(total).unwrap_or(u32::MAX),
                };
                let bytes = js_sys::Uint8Array::from(&tick.encode()[..]);
                let _ = progress.call1(&JsValue::NULL, &bytes);
                true
            }),
            Err(e) => Response::Failed(e.to_string()),
        }
        .encode()
    })
}

/// The largest file a worker reads, in bytes ([`MAX_FILE_BYTES`]).
#[wasm_bindgen]
pub fn max_file_bytes() -> f64 {
    MAX_FILE_BYTES as f64
}

/// What `worker.js` made of one file: its bytes, its size when too large, or why not read.
fn read_result(value: &JsValue) -> ReadFile {
    if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
        Ok(bytes.to_vec())
    } else if let Some(size) = value.as_f64() {
        Err(too_large(size).unwrap_or_else(|| "too large".into()))
    } else {
        Err(value
            .as_string()
            .unwrap_or_else(|| "could not be read".into()))
    }
}

/// Runs `f` on this thread's engine, taken out of its cell while it works (see
/// [`worker_handle`]).
fn with_engine(f: impl FnOnce(&mut Engine) -> Vec<u8>) -> Vec<u8> {
    console_error_panic_hook::set_once();
    let mut engine = ENGINE.with(|e| e.borrow_mut().take()).unwrap_or_default();
    let out = f(&mut engine);
    ENGINE.with(|e| *e.borrow_mut() = Some(engine));
    out
}

/// Runs an encoded request on the page (no worker, or its worker could not start); with files, the
/// page reads them itself.
pub async fn run_here(bytes: Vec<u8>, files: Vec<web_sys::File>) -> Vec<u8> {
    if files.is_empty() {
        return worker_handle(&bytes);
    }
    let mut read = Vec::with_capacity(files.len());
    for f in &files {
        read.push(read_bytes(f).await);
    }
    with_engine(|engine| handle_bytes_with_files(engine, &bytes, read))
}
