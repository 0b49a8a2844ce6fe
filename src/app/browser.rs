//! Browser helpers: yielding to the browser between steps of long work, the files of a picker or
//! a drop, reading a file's bytes or text, a canvas's 2D context, and the message of a JavaScript
//! error.

use crate::protocol::batch::too_large;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Lets the browser paint and handle input: resolves on the next `setTimeout(0)`.
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let scheduled = web_sys::window().is_some_and(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
                .is_ok()
        });
        if !scheduled {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Lets the browser paint a frame (the progress bar) and handle input: resolves on the
/// `setTimeout(0)` after the next animation frame.
pub async fn yield_to_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let scheduled =
            web_sys::window().is_some_and(|w| w.request_animation_frame(&resolve).is_ok());
        if !scheduled {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
    yield_to_browser().await;
}

/// The files of a `FileList`.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

/// A file's path within a picked folder (`webkitRelativePath`, not in web-sys), else its name.
pub fn path_of(f: &web_sys::File) -> String {
    let rel = js_sys::Reflect::get(f, &JsValue::from_str("webkitRelativePath"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    if rel.is_empty() { f.name() } else { rel }
}

/// The files picked in the file input that fired `e`, clearing the input so the same file can be
/// picked again.
pub fn take_picked(e: &leptos::ev::Event) -> Vec<web_sys::File> {
    let Some(input) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let files = files_of(input.files());
    input.set_value("");
    files
}

/// Reads a file's bytes (at most [`MAX_FILE_BYTES`](crate::protocol::batch::MAX_FILE_BYTES)).
pub async fn read_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    if let Some(reason) = too_large(file.size()) {
        return Err(reason);
    }
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("could not be read ({})", js_message(&e)))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A `File` named `name` holding a copy of `bytes`, as a picker would give it.
pub fn file_from_bytes(name: &str, bytes: &[u8]) -> Option<web_sys::File> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::File::new_with_u8_array_sequence(&parts, name).ok()
}

/// Reads a text file of at most `limit` bytes (invalid UTF-8 is replaced, not refused).
pub async fn read_text(file: &web_sys::File, limit: usize) -> Result<String, String> {
    if file.size() > limit as f64 {
        return Err(format!(
            "too large for a text file: {:.0} KiB, the limit is {} KiB",
            file.size() / 1024.0,
            limit / 1024
        ));
    }
    let bytes = read_bytes(file).await?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The message of a JavaScript error (or the string thrown).
pub fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown browser error".into())
}

/// The 2D context of a canvas.
pub fn context_2d(
    canvas: &web_sys::HtmlCanvasElement,
) -> Option<web_sys::CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
}
