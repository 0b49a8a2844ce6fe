//! The page's pool of Web Workers that decode, analyse and score off the main thread: one per core
//! (`navigator.hardwareConcurrency`). Each worker runs this same WebAssembly module (the page
//! sends it the compiled module and the address of its JavaScript glue) with a
//! [`protocol::engine::Engine`](crate::protocol::engine::Engine) behind the entry points of
//! [`worker`](super::worker); requests and responses cross as one transferred byte buffer each.

use super::{browser::js_message, worker::run_here};
use crate::protocol::messages::{Request, Response};
use std::{
    cell::{Cell, RefCell},
    collections::HashMap,
    rc::Rc,
};
use wasm_bindgen::{JsCast, prelude::*};
use wasm_bindgen_futures::JsFuture;

/// At most this many workers, whatever the browser reports.
const MAX_WORKERS: usize = 8;

type Handler = Closure<dyn FnMut(web_sys::MessageEvent)>;

type ErrorHandler = Closure<dyn FnMut(web_sys::Event)>;

/// A request in flight: its promise's resolve and reject, its worker, and its bytes and files
/// (kept so that it can run on the page if its worker turns out unable to start).
type Pending = HashMap<u32, InFlight>;

struct InFlight {
    resolve: js_sys::Function,
    reject: js_sys::Function,
    worker: usize,
    bytes: Vec<u8>,
    files: Vec<web_sys::File>,
}

struct Inner {
    workers: Vec<web_sys::Worker>,
    /// Requests in flight per worker.
    busy: RefCell<Vec<usize>>,
    pending: RefCell<Pending>,
    next: Cell<u32>,
    /// Workers that could not start: their requests run on the page instead.
    dead: RefCell<Vec<bool>>,
    _handlers: RefCell<Vec<Handler>>,
    _errors: RefCell<Vec<ErrorHandler>>,
}

/// A handle to the worker pool (cheap to clone).
#[derive(Clone)]
pub struct Pool(Rc<Inner>);

fn glue_url(document: &web_sys::Document) -> Option<String> {
    // Trunk preloads the glue script with `<link rel="modulepreload">`.
    let link = document
        .query_selector("link[rel=modulepreload][href$='.js']")
        .ok()
        .flatten()?;
    let href = link.get_attribute("href")?;
    let base = document.base_uri().ok().flatten()?;
    web_sys::Url::new_with_base(&href, &base)
        .ok()
        .map(|u| u.href())
}

/// `obj[key]`, undefined when it cannot be read.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Starts one worker running this page's module (`worker.js` with the page's glue), named
/// `name`; `Err` says why it could not be made.
pub fn spawn_worker(name: &str) -> Result<web_sys::Worker, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let glue = glue_url(&document).ok_or("the page's script address was not found")?;
    let worker_js = web_sys::Url::new_with_base("worker.js", &glue)
        .map_err(|e| js_message(&e))?
        .href();
    let opts = web_sys::WorkerOptions::new();
    opts.set_type(web_sys::WorkerType::Module);
    opts.set_name(name);
    let init = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&init, &"glue".into(), &glue.into());
    let _ = js_sys::Reflect::set(&init, &"module".into(), &wasm_bindgen::module());
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"init".into(), &init);
    let w = web_sys::Worker::new_with_options(&worker_js, &opts).map_err(|e| js_message(&e))?;
    w.post_message(&msg).map_err(|e| js_message(&e))?;
    Ok(w)
}

impl Pool {
    /// Starts one worker per core; `Err` says why workers are not available.
    pub fn start() -> Result<Pool, String> {
        let window = web_sys::window().ok_or("no window")?;
        let cores = window.navigator().hardware_concurrency();
        let n = if cores.is_finite() && cores >= 1.0 {
            (cores as usize).min(MAX_WORKERS)
        } else {
            2
        };
        let mut workers = Vec::with_capacity(n);
        for _ in 0..n {
            workers.push(spawn_worker("fluocount")?);
        }
        let pool = Pool(Rc::new(Inner {
            busy: RefCell::new(vec![0; workers.len()]),
            workers,
            pending: RefCell::new(HashMap::new()),
            next: Cell::new(1),
            dead: RefCell::new(vec![false; n]),
            _handlers: RefCell::new(Vec::new()),
            _errors: RefCell::new(Vec::new()),
        }));
        for (k, w) in pool.0.workers.iter().enumerate() {
            let weak = Rc::downgrade(&pool.0);
            let handler = Handler::new(move |e: web_sys::MessageEvent| {
                if let Some(inner) = weak.upgrade() {
                    Pool(inner).on_message(k, &e.data());
                }
            });
            w.set_onmessage(Some(handler.as_ref().unchecked_ref()));
            pool.0._handlers.borrow_mut().push(handler);
            // The script itself failed (not found, blocked, a syntax error).
            let weak = Rc::downgrade(&pool.0);
            let on_error = ErrorHandler::new(move |e: web_sys::Event| {
                e.prevent_default();
                if let Some(inner) = weak.upgrade() {
                    let message = get(&e, "message")
                        .as_string()
                        .unwrap_or_else(|| "the worker script did not load".into());
                    Pool(inner).fail_worker(k, &message);
                }
            });
            w.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            pool.0._errors.borrow_mut().push(on_error);
        }
        Ok(pool)
    }

    fn on_message(&self, worker: usize, data: &JsValue) {
        if let Some(reason) = get(data, "fatal").as_string() {
            self.fail_worker(worker, &reason);
            return;
        }
        let Some(id) = get(data, "id").as_f64() else {
            return; // "ready"
        };
        let id = id as u32;
        let error = get(data, "error");
        if let Some(reason) = error.as_string() {
            self.settle(id, Err(JsValue::from_str(&reason)));
        } else {
            self.settle(id, Ok(get(data, "bytes")));
        }
    }

    /// Marks worker `worker` as unable to work: what waits on it, and all that is sent to it
    /// later, runs on the page instead, so nothing is lost.
    fn fail_worker(&self, worker: usize, reason: &str) {
        web_sys::console::warn_1(
            &format!("Fluocount: analysis worker {worker} could not start ({reason}); its work runs on the page").into(),
        );
        if let Some(d) = self.0.dead.borrow_mut().get_mut(worker) {
            *d = true;
        }
        let waiting: Vec<(u32, Vec<u8>, Vec<web_sys::File>)> = self
            .0
            .pending
            .borrow()
            .iter()
            .filter(|(_, p)| p.worker == worker)
            .map(|(id, p)| (*id, p.bytes.clone(), p.files.clone()))
            .collect();
        for (id, bytes, files) in waiting {
            let pool = self.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let out = js_sys::Uint8Array::from(&run_here(bytes, files).await[..]);
                pool.settle(id, Ok(out.buffer().into()));
            });
        }
    }

    fn settle(&self, id: u32, result: Result<JsValue, JsValue>) {
        let Some(InFlight {
            resolve,
            reject,
            worker,
            ..
        }) = self.0.pending.borrow_mut().remove(&id)
        else {
            return;
        };
        if let Some(b) = self.0.busy.borrow_mut().get_mut(worker) {
            *b = b.saturating_sub(1);
        }
        let _ = match result {
            Ok(v) => resolve.call1(&JsValue::NULL, &v),
            Err(e) => reject.call1(&JsValue::NULL, &e),
        };
    }

    /// Number of workers.
    pub fn size(&self) -> usize {
        self.0.workers.len()
    }

    /// The worker with the fewest requests in flight.
    pub fn least_busy(&self) -> usize {
        let busy = self.0.busy.borrow();
        let dead = self.0.dead.borrow();
        (0..busy.len())
            .min_by_key(|&k| (dead.get(k).copied().unwrap_or(false), busy[k]))
            .unwrap_or(0)
    }

    /// Sends `request` to worker `worker` now, with `files` for the worker to read (see
    /// [`worker_handle_files`](super::worker::worker_handle_files)); the future resolves to its response.
    pub fn send(
        &self,
        worker: usize,
        request: &Request,
        files: Vec<web_sys::File>,
    ) -> impl std::future::Future<Output = Result<Response, String>> + use<> {
        let sent = self.post(worker, request, files);
        async move {
            let promise = sent?;
            let value = JsFuture::from(promise)
                .await
                .map_err(|e| format!("the analysis worker failed: {}", js_message(&e)))?;
            let buf = value
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_err(|_| "the analysis worker sent no data".to_string())?;
            let out = js_sys::Uint8Array::new(&buf).to_vec();
            Response::decode(&out).map_err(|e| e.to_string())
        }
    }

    fn post(
        &self,
        worker: usize,
        request: &Request,
        files: Vec<web_sys::File>,
    ) -> Result<js_sys::Promise, String> {
        let worker = worker % self.size().max(1);
        let bytes = request.encode();
        if self.0.dead.borrow().get(worker).copied().unwrap_or(true) {
            return Ok(wasm_bindgen_futures::future_to_promise(async move {
                let out = js_sys::Uint8Array::from(&run_here(bytes, files).await[..]);
                Ok(out.buffer().into())
            }));
        }
        let id = self.0.next.get();
        self.0.next.set(id.wrapping_add(1).max(1));
        let array = js_sys::Uint8Array::from(&bytes[..]);
        let buffer = array.buffer();
        let mut stored = None;
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            stored = Some((resolve, reject));
        });
        let (resolve, reject) = stored.ok_or("the promise did not start")?;
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"id".into(), &JsValue::from(id));
        let _ = js_sys::Reflect::set(&msg, &"bytes".into(), &buffer);
        if !files.is_empty() {
            let list: js_sys::Array = files.iter().collect();
            let _ = js_sys::Reflect::set(&msg, &"files".into(), &list);
        }
        self.0.pending.borrow_mut().insert(
            id,
            InFlight {
                resolve,
                reject,
                worker,
                bytes,
                files,
            },
        );
        if let Some(b) = self.0.busy.borrow_mut().get_mut(worker) {
            *b += 1;
        }
        let transfer = js_sys::Array::of1(&buffer);
        if let Err(e) = self.0.workers[worker].post_message_with_transfer(&msg, &transfer) {
            self.settle(id, Err(e));
        }
        Ok(promise)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        for w in &self.workers {
            w.terminate();
        }
    }
}

thread_local! {
    /// The page's pool, or why it could not start.
    static POOL: RefCell<Option<Result<Pool, String>>> = const { RefCell::new(None) };
}

/// Starts the page's worker pool (once); `Err` says why the work stays on the main thread.
pub fn start_pool() -> Result<usize, String> {
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        let pool = p.get_or_insert_with(Pool::start);
        pool.as_ref().map(Pool::size).map_err(Clone::clone)
    })
}

/// The page's pool, if it started.
pub fn pool() -> Option<Pool> {
    POOL.with(|p| p.borrow().as_ref().and_then(|r| r.as_ref().ok().cloned()))
}

/// Number of workers (1 when the work runs on the page itself).
pub fn size() -> usize {
    pool().map_or(1, |p| p.size())
}

/// The worker with the fewest requests in flight.
pub fn least_busy() -> usize {
    pool().map_or(0, |p| p.least_busy())
}

/// Carries out `request` on worker `worker`; without workers, on the page itself (the same
/// engine, so the same results, only without the parallelism).
pub async fn call(worker: usize, request: &Request) -> Result<Response, String> {
    send(worker, request).await
}

/// Decodes a file's `bytes` in `worker`: as image `id`, which the worker keeps for its counts,
/// or as a ground-truth mask, which it only reads.
pub async fn decode(
    worker: usize,
    id: u64,
    bytes: Vec<u8>,
    as_mask: bool,
) -> Result<Response, String> {
    let request = Request::Decode {
        id,
        bytes,
        as_mask,
        keep: !as_mask,
    };
    call(worker, &request).await
}

/// Sends `request` to worker `worker` at once (so several can run side by side); the future
/// resolves to the response. Without workers the request runs on the page when awaited.
pub fn send(
    worker: usize,
    request: &Request,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Response, String>>>> {
    send_with_files(worker, request, Vec::new())
}

/// Like [`send`], with files that the worker reads itself, so that the page never copies their
/// bytes (a batch job's image and mask; see [`handle_bytes_with_files`](crate::protocol::engine::handle_bytes_with_files)).
pub fn send_with_files(
    worker: usize,
    request: &Request,
    files: Vec<web_sys::File>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Response, String>>>> {
    match pool() {
        Some(p) => Box::pin(p.send(worker, request, files)),
        None => {
            let bytes = request.encode();
            Box::pin(async move {
                let out = run_here(bytes, files).await;
                Response::decode(&out).map_err(|e| e.to_string())
            })
        }
    }
}
