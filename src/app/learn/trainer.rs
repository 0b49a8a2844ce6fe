//! The training worker: a Web Worker of its own, started for one training and ended after it.
//!
//! Training grows hundreds of trees in one request, so the worker cannot read a cancel message
//! while it works; ending it is the only way to stop it at once. It keeps no images (a training
//! job carries only features and labels), so ending it loses nothing, and the pool's workers,
//! which keep the images, are never touched. Progress reaches the page as messages the worker
//! posts after each tree (an encoded `Response::Progress`). Without workers the training runs on the page, without progress.

use crate::{
    app::{
        browser::js_message,
        pool::{get, spawn_worker},
        worker::run_here,
    },
    protocol::{
        learn::{TrainJob, TrainResult},
        messages::{Request, Response},
    },
};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, prelude::*};
use wasm_bindgen_futures::JsFuture;

struct Running {
    worker: web_sys::Worker,
    reject: js_sys::Function,
}

thread_local! {
    /// The training in progress, if any.
    static RUNNING: RefCell<Option<Running>> = const { RefCell::new(None) };
}

/// Ends the training in progress; its future resolves to `Err("cancelled")`.
pub fn cancel() {
    if let Some(r) = RUNNING.with(|r| r.borrow_mut().take()) {
        r.worker.terminate();
        let _ = r
            .reject
            .call1(&JsValue::NULL, &JsValue::from_str("cancelled"));
    }
}

fn result_of(bytes: &[u8]) -> Result<TrainResult, String> {
    match Response::decode(bytes).map_err(|e| e.to_string())? {
        Response::Trained(t) => Ok(*t),
        Response::Failed(reason) => Err(reason),
        _ => Err("the training worker gave an unexpected answer".into()),
    }
}

/// Trains as `job` says in a worker of its own; `progress(done, total)` after each tree. A
/// training already running is cancelled first.
pub async fn train(
    job: TrainJob,
    progress: impl Fn(u32, u32) + 'static,
) -> Result<TrainResult, String> {
    cancel();
    let bytes = Request::Train(Box::new(job)).encode();
    let worker = match spawn_worker("fluocount-train") {
        Ok(w) => w,
        Err(reason) => {
            web_sys::console::warn_1(
                &format!("Fluocount: no training worker ({reason}); training runs on the page")
                    .into(),
            );
            return result_of(&run_here(bytes, Vec::new()).await);
        }
    };
    let mut stored = None;
    let promise = js_sys::Promise::new(&mut |resolve, reject| stored = Some((resolve, reject)));
    let (resolve, reject) = stored.ok_or("the promise did not start")?;
    let on_reject = reject.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let data = e.data();
            if let Ok(p) = get(&data, "progress").dyn_into::<js_sys::Array>() {
                let n = |i| p.get(i).as_f64().unwrap_or(0.0) as u32;
                progress(n(0), n(1));
            } else if let Some(reason) = get(&data, "fatal")
                .as_string()
                .or_else(|| get(&data, "error").as_string())
            {
                let _ = on_reject.call1(&JsValue::NULL, &JsValue::from_str(&reason));
            } else {
                let out = get(&data, "bytes");
                if out.is_instance_of::<js_sys::ArrayBuffer>() {
                    let _ = resolve.call1(&JsValue::NULL, &out);
                }
            }
        });
    let on_error_reject = reject.clone();
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        e.prevent_default();
        let message = get(&e, "message")
            .as_string()
            .unwrap_or_else(|| "the training worker did not start".into());
        let _ = on_error_reject.call1(&JsValue::NULL, &JsValue::from_str(&message));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let array = js_sys::Uint8Array::from(&bytes[..]);
    let buffer = array.buffer();
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"id".into(), &JsValue::from(1));
    let _ = js_sys::Reflect::set(&msg, &"train".into(), &JsValue::TRUE);
    let _ = js_sys::Reflect::set(&msg, &"bytes".into(), &buffer);
    if let Err(e) = worker.post_message_with_transfer(&msg, &js_sys::Array::of1(&buffer)) {
        worker.terminate();
        return Err(js_message(&e));
    }
    RUNNING.with(|r| {
        *r.borrow_mut() = Some(Running {
            worker: worker.clone(),
            reject,
        })
    });
    let out = JsFuture::from(promise).await;
    // Ended whatever happened: a worker per training.
    worker.terminate();
    RUNNING.with(|r| {
        let mut r = r.borrow_mut();
        if r.as_ref().is_some_and(|x| x.worker == worker) {
            *r = None;
        }
    });
    drop((on_message, on_error));
    let value = out.map_err(|e| js_message(&e))?;
    let buf = value
        .dyn_into::<js_sys::ArrayBuffer>()
        .map_err(|_| "the training worker sent no data".to_string())?;
    result_of(&js_sys::Uint8Array::new(&buf).to_vec())
}
