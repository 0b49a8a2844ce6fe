//! The browser's IndexedDB as a small key-value store for the work kept between visits: one
//! database (`fluocount`), one object store (`work`), values that are files or plain objects.
//! Every call is awaited through the request's or transaction's own events; a failure is a
//! one-line reason, with a full store named as such.

use js_sys::{Array, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DomException, IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

/// The database's name.
const DATABASE: &str = "fluocount";
/// Its version (the object stores it has).
const VERSION: u32 = 1;
/// The one object store.
const STORE: &str = "work";

/// An open database.
#[derive(Clone)]
pub struct Store {
    db: IdbDatabase,
}

/// A reason for a DOM exception, naming a full store plainly.
fn describe(e: Option<DomException>, doing: &str) -> String {
    match e {
        Some(e) if e.name() == "QuotaExceededError" => {
            format!("the browser's storage for this page is full ({doing}: QuotaExceededError)")
        }
        Some(e) => format!("{doing}: {}: {}", e.name(), e.message()),
        None => format!("{doing}: the browser gave no reason"),
    }
}

/// The reason of a thrown value.
fn thrown(e: JsValue, doing: &str) -> String {
    describe(e.dyn_into::<DomException>().ok(), doing)
}

/// Waits for a request's `success` (its result) or `error` (its reason).
async fn finished(request: &IdbRequest, doing: &str) -> Result<JsValue, String> {
    let done = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(done).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    match outcome {
        Ok(_) => request.result().map_err(|e| thrown(e, doing)),
        Err(_) => Err(describe(request.error().ok().flatten(), doing)),
    }
}

/// Waits for a transaction to commit, or gives why it was aborted.
async fn committed(tx: &IdbTransaction, doing: &str) -> Result<(), String> {
    let done = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onabort(Some(&reject));
    });
    let outcome = JsFuture::from(done).await;
    tx.set_oncomplete(None);
    tx.set_onabort(None);
    outcome.map(|_| ()).map_err(|_| describe(tx.error(), doing))
}

impl Store {
    /// Opens (creating if need be) the database; `Err` when the browser has no IndexedDB or
    /// refuses it (a private window of some browsers, storage blocked for the site).
    pub async fn open() -> Result<Store, String> {
        let factory = web_sys::window()
            .ok_or("no window")?
            .indexed_db()
            .map_err(|e| thrown(e, "opening the browser's storage"))?
            .ok_or("this browser keeps no storage for the page (no IndexedDB)")?;
        let request = factory
            .open_with_u32(DATABASE, VERSION)
            .map_err(|e| thrown(e, "opening the browser's storage"))?;
        let upgrading = request.clone();
        let upgrade = wasm_bindgen::closure::Closure::once_into_js(move |_: web_sys::Event| {
            if let Ok(db) = upgrading.result().and_then(|r| r.dyn_into::<IdbDatabase>())
                && !db.object_store_names().contains(STORE)
            {
                let _ = db.create_object_store(STORE);
            }
        });
        request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
        let db = finished(&request, "opening the browser's storage").await;
        request.set_onupgradeneeded(None);
        let db = db?
            .dyn_into::<IdbDatabase>()
            .map_err(|_| "the browser's storage gave no database".to_string())?;
        // Another page deleting or upgrading the database (a newer Fluocount in another tab,
        // the browser clearing site data) is not kept waiting: this connection closes, and
        // later writes say so.
        let closing = db.clone();
        let on_change = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || closing.close());
        db.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
        on_change.forget();
        Ok(Store { db })
    }

    fn transaction(&self, mode: IdbTransactionMode, doing: &str) -> Result<IdbTransaction, String> {
        self.db
            .transaction_with_str_and_mode(STORE, mode)
            .map_err(|e| thrown(e, doing))
    }

    /// The value under `key`, `None` if there is none.
    pub async fn get(&self, key: &str) -> Result<Option<JsValue>, String> {
        let doing = "reading the kept work";
        let tx = self.transaction(IdbTransactionMode::Readonly, doing)?;
        let store = tx.object_store(STORE).map_err(|e| thrown(e, doing))?;
        let request = store
            .get(&JsValue::from_str(key))
            .map_err(|e| thrown(e, doing))?;
        let value = finished(&request, doing).await?;
        Ok((!value.is_undefined()).then_some(value))
    }

    /// Every key in the store.
    pub async fn keys(&self) -> Result<Vec<String>, String> {
        let doing = "listing the kept work";
        let tx = self.transaction(IdbTransactionMode::Readonly, doing)?;
        let store = tx.object_store(STORE).map_err(|e| thrown(e, doing))?;
        let request = store.get_all_keys().map_err(|e| thrown(e, doing))?;
        let keys = finished(&request, doing).await?;
        Ok(Array::from(&keys)
            .iter()
            .filter_map(|k| k.as_string())
            .collect())
    }

    /// Puts `puts` and deletes `deletes` in one transaction: all of it is kept, or none.
    pub async fn write(
        &self,
        puts: &[(String, JsValue)],
        deletes: &[String],
    ) -> Result<(), String> {
        let doing = "keeping the work";
        let tx = self.transaction(IdbTransactionMode::Readwrite, doing)?;
        let store = tx.object_store(STORE).map_err(|e| thrown(e, doing))?;
        let issued = (|| {
            for (key, value) in puts {
                store.put_with_key(value, &JsValue::from_str(key))?;
            }
            for key in deletes {
                store.delete(&JsValue::from_str(key))?;
            }
            Ok::<(), JsValue>(())
        })();
        if let Err(e) = issued {
            let _ = tx.abort();
            return Err(thrown(e, doing));
        }
        committed(&tx, doing).await
    }

    /// Deletes everything in the store.
    pub async fn clear(&self) -> Result<(), String> {
        let doing = "clearing the kept work";
        let tx = self.transaction(IdbTransactionMode::Readwrite, doing)?;
        let store = tx.object_store(STORE).map_err(|e| thrown(e, doing))?;
        store.clear().map_err(|e| thrown(e, doing))?;
        committed(&tx, doing).await
    }
}
