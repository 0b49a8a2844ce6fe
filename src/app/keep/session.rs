//! Work kept in the browser between visits: as the person works, every image's and mask's file,
//! the parameters, each image's display, calibration, regions and corrections are written to the
//! browser's IndexedDB ([`super::store`]; nothing leaves the machine), and restored when the
//! page is opened again, with a notice and a way to start fresh.
//!
//! What is kept is the project's manifest (`count::project::manifest`) under `session`, with the
//! store keys of the files it names; each file is stored once under its own key, as the browser's
//! `File`, and written again only if it changes (a mask replaced). A write puts the new files and
//! the session and deletes the files no image uses any more in one transaction: the store holds
//! the last whole state or the one before, never half of one. A failed write (a full store) is
//! shown at once, and the work goes on.

use super::store::Store;
use crate::{
    app::{
        browser::read_bytes,
        links::context::current_hash,
        results::project::{Snapshot, replace_work, snapshot},
        state::{AppState, PresetChoice, use_app_state},
    },
    count::{
        Params,
        project::{self, Project},
    },
    web::share::ShareState,
};
use js_sys::{Array, Date, Object, Reflect};
use leptos::{prelude::*, task::spawn_local};
use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};
use wasm_bindgen::{JsCast, JsValue};

/// The key of the session record.
const SESSION: &str = "session";
/// The session record's version.
const SESSION_VERSION: f64 = 1.0;
/// How long the work must rest before it is written (a slider drag writes once).
const REST: Duration = Duration::from_millis(300);

/// Where keeping stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Opening the store and reading what it holds.
    Starting,
    /// Kept work waits for the person's choice: the page was opened from a link that brings its
    /// own image, or the kept work could not be read. Nothing is written until they choose.
    Offered {
        /// How many images the kept work has.
        images: usize,
        /// When it was kept, as a local time.
        saved: String,
        /// Why it cannot be read, if it cannot.
        unreadable: Option<String>,
    },
    /// Restoring the kept work.
    Restoring,
    /// Keeping the work as it changes.
    Keeping,
    /// The browser keeps nothing for the page; the reason.
    Unavailable(String),
}

/// The last write.
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    /// When, as a local time.
    pub at: String,
    /// How many images.
    pub images: usize,
    /// Their files' bytes with the masks'.
    pub bytes: f64,
    /// What could not be kept, each with its reason.
    pub left_out: Vec<String>,
}

/// What a restore brought back.
#[derive(Clone, Debug, PartialEq)]
pub struct Restored {
    /// How many images.
    pub images: usize,
    /// When the work was kept.
    pub saved: String,
    /// What did not come back, each with its reason.
    pub failed: Vec<String>,
}

/// An image's store keys: its file's, and its mask's name and key.
type Keys = (String, Option<(String, String)>);

/// The kept work's state, a context.
#[derive(Clone, Copy)]
pub struct Keeping {
    /// Where keeping stands.
    pub phase: RwSignal<Phase>,
    /// The last write, or why it failed.
    pub last: RwSignal<Option<Result<Kept, String>>>,
    /// The notice of the last restore, until dismissed.
    pub restored: RwSignal<Option<Restored>>,
    /// A change waits to be written.
    pub pending: RwSignal<bool>,
    store: StoredValue<Option<Store>, LocalStorage>,
    /// The session waiting in an offer.
    offered: StoredValue<Option<Session>>,
    /// Each image's store keys, by image id.
    keys: StoredValue<HashMap<u64, Keys>>,
    /// Every key the store holds as far as this page knows.
    stored: StoredValue<HashSet<String>>,
    /// Bumped by every change; a write waits for the work to rest.
    generation: StoredValue<u64>,
    /// A write is under way; `again` asks for one more after it.
    writing: StoredValue<bool>,
    again: StoredValue<bool>,
    /// Keys made by this page, for new files.
    made: StoredValue<u64>,
}

/// The session record, read.
#[derive(Clone, Debug)]
struct Session {
    project: Project,
    /// Per image: its file's key and its mask's key.
    files: Vec<(String, Option<String>)>,
    saved: String,
}

/// The kept work's context.
pub fn use_keeping() -> Keeping {
    expect_context::<Keeping>()
}

/// A local date and time for a notice.
fn local_time(ms: f64) -> String {
    let d = Date::new(&JsValue::from_f64(ms));
    format!(
        "{} {}",
        d.to_locale_date_string("en-GB", &JsValue::UNDEFINED),
        d.to_locale_time_string("en-GB")
    )
}

/// A size in bytes as a person reads it.
fn size(bytes: f64) -> String {
    if bytes >= 1e6 {
        format!("{:.1} MB", bytes / 1e6)
    } else {
        format!("{:.0} KB", (bytes / 1e3).ceil())
    }
}

/// The session record of `manifest` and its files' keys.
fn session_record(manifest: &str, files: &[(String, Option<String>)]) -> JsValue {
    let o = Object::new();
    let keys = Array::new();
    for (image, mask) in files {
        keys.push(&JsValue::from_str(image));
        keys.push(&JsValue::from_str(mask.as_deref().unwrap_or("")));
    }
    let _ = Reflect::set(&o, &"version".into(), &JsValue::from_f64(SESSION_VERSION));
    let _ = Reflect::set(&o, &"manifest".into(), &JsValue::from_str(manifest));
    let _ = Reflect::set(&o, &"files".into(), &keys);
    let _ = Reflect::set(&o, &"saved".into(), &JsValue::from_f64(Date::now()));
    o.into()
}

/// Reads a session record, checking all of it.
fn read_session(value: &JsValue) -> Result<Session, String> {
    let field = |name: &str| Reflect::get(value, &name.into()).unwrap_or(JsValue::UNDEFINED);
    match field("version").as_f64() {
        Some(v) if v == SESSION_VERSION => {}
        Some(v) => return Err(format!("kept by another version of Fluocount (record {v})")),
        None => return Err("its record is damaged (no version)".into()),
    }
    let manifest = field("manifest")
        .as_string()
        .ok_or("its record is damaged (no manifest)")?;
    let project = project::read_manifest(&manifest)?;
    let keys: Vec<String> = Array::from(&field("files"))
        .iter()
        .map(|k| k.as_string())
        .collect::<Option<_>>()
        .ok_or("its record is damaged (a file key is not text)")?;
    if keys.len() != 2 * project.images.len() {
        return Err("its record is damaged (the files do not match the images)".into());
    }
    let files = keys
        .chunks(2)
        .map(|k| (k[0].clone(), (!k[1].is_empty()).then(|| k[1].clone())))
        .collect();
    let saved = field("saved").as_f64().map(local_time).unwrap_or_default();
    Ok(Session {
        project,
        files,
        saved,
    })
}

impl Keeping {
    fn store(&self) -> Option<Store> {
        self.store.with_value(Clone::clone)
    }

    /// A new key for a file.
    fn new_key(&self) -> String {
        self.made.update_value(|m| *m += 1);
        format!("file-{}-{}", Date::now(), self.made.get_value())
    }

    /// Asks for a write once the work has rested.
    fn schedule(self, state: AppState) {
        self.pending.set(true);
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        set_timeout(
            move || {
                if self.generation.get_value() == generation {
                    spawn_local(self.write(state));
                }
            },
            REST,
        );
    }

    /// Writes the work now, or after the write under way.
    async fn write(self, state: AppState) {
        if self.phase.get_untracked() != Phase::Keeping {
            return;
        }
        if self.writing.get_value() {
            self.again.set_value(true);
            return;
        }
        self.writing.set_value(true);
        loop {
            self.again.set_value(false);
            let generation = self.generation.get_value();
            let outcome = self.write_once(state).await;
            if outcome.is_ok() && self.generation.get_value() == generation {
                self.pending.set(false);
            }
            self.last.set(Some(outcome));
            if !self.again.get_value() || self.phase.get_untracked() != Phase::Keeping {
                break;
            }
        }
        self.writing.set_value(false);
    }

    /// One write of the whole work (see the module's documentation).
    async fn write_once(self, state: AppState) -> Result<Kept, String> {
        let store = self.store().ok_or("the browser's storage is not open")?;
        let Snapshot {
            project,
            files,
            left_out,
        } = snapshot(state);
        let manifest = project::manifest(&project)?;
        let before = self.keys.get_value();
        let mut keys = HashMap::with_capacity(files.len());
        let mut puts = Vec::new();
        let mut record = Vec::with_capacity(files.len());
        let mut bytes = 0.0;
        for (image, (id, file, mask_file)) in project.images.iter().zip(&files) {
            let old = before.get(id);
            let image_key = match old {
                Some((key, _)) => key.clone(),
                None => {
                    let key = self.new_key();
                    puts.push((key.clone(), JsValue::from(file.clone())));
                    key
                }
            };
            bytes += file.size();
            let mask = match (&image.mask, mask_file) {
                (Some((name, _)), Some(f)) => {
                    bytes += f.size();
                    let key = match old.and_then(|o| o.1.as_ref()) {
                        Some((kept, key)) if kept == name => key.clone(),
                        _ => {
                            let key = self.new_key();
                            puts.push((key.clone(), JsValue::from(f.clone())));
                            key
                        }
                    };
                    Some((name.clone(), key))
                }
                _ => None,
            };
            record.push((image_key.clone(), mask.as_ref().map(|m| m.1.clone())));
            keys.insert(*id, (image_key, mask));
        }
        puts.push((SESSION.to_string(), session_record(&manifest, &record)));
        let mut used: HashSet<String> = record
            .iter()
            .flat_map(|(i, m)| std::iter::once(i.clone()).chain(m.clone()))
            .collect();
        used.insert(SESSION.to_string());
        let deletes: Vec<String> = self
            .stored
            .with_value(|s| s.difference(&used).cloned().collect());
        store.write(&puts, &deletes).await?;
        self.keys.set_value(keys);
        self.stored.set_value(used);
        Ok(Kept {
            at: local_time(Date::now()),
            images: record.len(),
            bytes,
            left_out,
        })
    }

    /// Restores `session`'s work in place of the current one, then keeps the work again.
    async fn restore(self, state: AppState, session: Session) {
        self.phase.set(Phase::Restoring);
        let Some(store) = self.store() else {
            self.phase
                .set(Phase::Unavailable("the browser's storage closed".into()));
            return;
        };
        let Session {
            mut project,
            files,
            saved,
        } = session;
        let mut failed = Vec::new();
        let mut images = Vec::with_capacity(project.images.len());
        let mut keys = Vec::with_capacity(project.images.len());
        for (mut image, (image_key, mask_key)) in project.images.into_iter().zip(files) {
            match stored_bytes(&store, &image_key).await {
                Ok(b) => image.bytes = b,
                Err(e) => {
                    failed.push(format!("{}: {e}", image.name));
                    continue;
                }
            }
            let mut mask = None;
            if let (Some((name, bytes)), Some(key)) = (&mut image.mask, mask_key) {
                match stored_bytes(&store, &key).await {
                    Ok(b) => {
                        *bytes = b;
                        mask = Some((name.clone(), key));
                    }
                    Err(e) => failed.push(format!("{name}: {e}")),
                }
            }
            if mask.is_none() {
                image.mask = None;
            }
            images.push(image);
            keys.push((image_key, mask));
        }
        project.images = images;
        let (ids, more) =
            replace_work(state, project, "your kept work", "kept in this browser").await;
        failed.extend(more);
        let mut restored = HashMap::new();
        for (id, k) in ids.iter().zip(keys) {
            if let Some(id) = id {
                restored.insert(*id, k);
            }
        }
        let images = restored.len();
        self.keys.set_value(restored);
        state.counting.status.set(format!(
            "Restored {images} image(s) kept in this browser on {saved}."
        ));
        self.restored.set(Some(Restored {
            images,
            saved,
            failed,
        }));
        self.phase.set(Phase::Keeping);
        self.schedule(state);
    }

    /// Removes every image and its work, sets the default parameters and empties the store.
    pub async fn start_fresh(self, state: AppState) {
        self.restored.set(None);
        self.offered.set_value(None);
        state.remove_all();
        state.apply_preset(PresetChoice::Auto(None), Params::default());
        self.discard(state).await;
        state
            .counting
            .status
            .set("Started fresh: nothing is kept from before.".into());
    }

    /// Empties the store and keeps the work as it is from now on.
    pub async fn discard(self, state: AppState) {
        self.offered.set_value(None);
        if let Some(store) = self.store()
            && let Err(e) = store.clear().await
        {
            self.last.set(Some(Err(e)));
        }
        self.keys.set_value(HashMap::new());
        self.stored.set_value(HashSet::new());
        self.phase.set(Phase::Keeping);
        self.schedule(state);
    }

    /// Restores the work the offer holds.
    pub async fn accept(self, state: AppState) {
        if let Some(session) = self.offered.try_update_value(Option::take).flatten() {
            self.restore(state, session).await;
        }
    }
}

/// The bytes of the file stored under `key`.
async fn stored_bytes(store: &Store, key: &str) -> Result<Vec<u8>, String> {
    let value = store
        .get(key)
        .await?
        .ok_or("its file is missing from the browser's storage")?;
    let file = value
        .dyn_into::<web_sys::File>()
        .map_err(|_| "its stored file is damaged".to_string())?;
    read_bytes(&file).await
}

/// Opens the store and restores (or offers) what it holds; then keeps the work as it changes.
async fn start(state: AppState, keeping: Keeping) {
    let store = match Store::open().await {
        Ok(s) => s,
        Err(e) => {
            keeping.phase.set(Phase::Unavailable(e));
            return;
        }
    };
    keeping.store.set_value(Some(store.clone()));
    let record = match store.keys().await {
        Ok(keys) => {
            keeping.stored.set_value(keys.into_iter().collect());
            store.get(SESSION).await
        }
        Err(e) => Err(e),
    };
    let session = match record {
        Ok(Some(value)) => read_session(&value),
        Ok(None) => {
            keeping.phase.set(Phase::Keeping);
            keeping.schedule(state);
            return;
        }
        Err(e) => Err(e),
    };
    match session {
        Err(e) => keeping.phase.set(Phase::Offered {
            images: 0,
            saved: String::new(),
            unreadable: Some(e),
        }),
        Ok(s) if s.project.images.is_empty() => {
            keeping.phase.set(Phase::Keeping);
            keeping.schedule(state);
        }
        // A link that brings its own image: the person chooses.
        Ok(s)
            if ShareState::from_fragment(&current_hash())
                .0
                .source
                .is_some() =>
        {
            keeping.phase.set(Phase::Offered {
                images: s.project.images.len(),
                saved: s.saved.clone(),
                unreadable: None,
            });
            keeping.offered.set_value(Some(s));
        }
        Ok(s) => keeping.restore(state, s).await,
    }
}

/// Creates the context, starts restoring and keeps the work as it changes.
pub fn provide_keeping(state: AppState) -> Keeping {
    let keeping = Keeping {
        phase: RwSignal::new(Phase::Starting),
        last: RwSignal::new(None),
        restored: RwSignal::new(None),
        pending: RwSignal::new(false),
        store: StoredValue::new_local(None),
        offered: StoredValue::new(None),
        keys: StoredValue::new(HashMap::new()),
        stored: StoredValue::new(HashSet::new()),
        generation: StoredValue::new(0),
        writing: StoredValue::new(false),
        again: StoredValue::new(false),
        made: StoredValue::new(0),
    };
    provide_context(keeping);
    Effect::new(move |_| {
        state.images.items.track();
        state.images.displays.track();
        state.images.calibrations.track();
        state.annotations.rois.track();
        state.annotations.corrections.track();
        state.counting.params.track();
        state.counting.preset.track();
        if keeping.phase.get_untracked() == Phase::Keeping {
            keeping.schedule(state);
        }
    });
    spawn_local(start(state, keeping));
    keeping
}

/// The notice above the image: what was restored (with *Start fresh*), or the kept work that
/// waits for a choice.
#[component]
pub fn KeptNotice() -> impl IntoView {
    let state = use_app_state();
    let keeping = use_keeping();
    let offer = move || {
        match keeping.phase.get() {
        Phase::Offered {
            images,
            saved,
            unreadable,
        } => Some(match unreadable {
            None => view! {
                <div class="notice kept" role="status" data-testid="kept-offer">
                    <p data-testid="kept-offer-text">{format!(
                        "Your work from {saved} ({images} image(s)) is kept in this browser, not shown: this page was opened from a link with its own image. Nothing new is kept until you choose."
                    )}</p>
                    <button class="button small-button" type="button" data-testid="kept-restore"
                        on:click=move |_| spawn_local(keeping.accept(state))>"Restore it"</button>
                    <button class="button small-button" type="button" data-testid="kept-discard"
                        on:click=move |_| spawn_local(keeping.discard(state))>"Discard it"</button>
                </div>
            }
            .into_any(),
            Some(e) => view! {
                <div class="notice kept" role="alert" data-testid="kept-offer">
                    <p data-testid="kept-offer-text">{format!(
                        "The work kept in this browser could not be read: {e}. Nothing new is kept until you discard it."
                    )}</p>
                    <button class="button small-button" type="button" data-testid="kept-discard"
                        on:click=move |_| spawn_local(keeping.discard(state))>"Discard it"</button>
                </div>
            }
            .into_any(),
        }),
        _ => None,
    }
    };
    let restored = move || {
        keeping.restored.get().map(|r| {
            let failed = (!r.failed.is_empty())
                .then(|| format!(" Not restored: {}.", r.failed.join("; ")));
            view! {
                <div class="notice kept" role="status" data-testid="kept-restored">
                    <p data-testid="kept-restored-text">
                        {format!("Restored {} image(s) from your work kept in this browser on {}.", r.images, r.saved)}
                        {failed}
                    </p>
                    <StartFresh />
                    <button class="button small-button" type="button" data-testid="kept-dismiss"
                        on:click=move |_| keeping.restored.set(None)>"OK"</button>
                </div>
            }
        })
    };
    view! {
        {offer}
        {restored}
    }
}

/// *Start fresh…*, then its confirmation.
#[component]
pub fn StartFresh() -> impl IntoView {
    let state = use_app_state();
    let keeping = use_keeping();
    let confirming = RwSignal::new(false);
    let count = move || {
        state
            .images
            .items
            .with(|v| v.iter().filter(|i| i.status.is_ok()).count())
    };
    view! {
        <Show when=move || confirming.get()
            fallback=move || view! {
                <button class="button small-button" type="button" data-testid="start-fresh"
                    title="Removes every image with its masks, corrections and regions, and what this browser keeps of them"
                    on:click=move |_| confirming.set(true)>"Start fresh…"</button>
            }>
            <span class="confirm" role="group" aria-label="Start fresh">
                {move || format!("Remove all {} image(s) with their work? ", count())}
                <button class="button small-button danger" type="button" data-testid="start-fresh-confirm"
                    on:click=move |_| spawn_local(keeping.start_fresh(state))>"Remove all"</button>
                <button class="button small-button" type="button" data-testid="start-fresh-cancel"
                    on:click=move |_| confirming.set(false)>"Cancel"</button>
            </span>
        </Show>
    }
}

/// Whether the work is kept, in the Project section: when it was last written, or why not.
#[component]
pub fn KeptStatus() -> impl IntoView {
    let keeping = use_keeping();
    let line = move || match (keeping.phase.get(), keeping.last.get()) {
        (_, Some(Err(e))) => (
            "kept-status error",
            format!("Your work is not kept in this browser: {e}. Save a project to keep it."),
        ),
        (Phase::Unavailable(e), _) => (
            "kept-status error",
            format!("Work is not kept in this browser ({e}). Save a project to keep it."),
        ),
        (Phase::Starting | Phase::Restoring, _) => (
            "kept-status",
            "Reading the work kept in this browser…".into(),
        ),
        (Phase::Offered { .. }, _) => (
            "kept-status",
            "Kept work waits for your choice above the image; nothing new is kept.".into(),
        ),
        (Phase::Keeping, Some(Ok(k))) => {
            let left = if k.left_out.is_empty() {
                String::new()
            } else {
                format!(" Not kept: {}.", k.left_out.join("; "))
            };
            (
                "kept-status",
                format!(
                    "Kept in this browser at {}: {} image(s), {}.{left}",
                    k.at,
                    k.images,
                    size(k.bytes)
                ),
            )
        }
        (Phase::Keeping, None) => ("kept-status", "Your work is kept in this browser.".into()),
    };
    view! {
        <p class=move || line().0 data-testid="kept-status"
            data-pending=move || keeping.pending.get().to_string()
            role=move || if line().0.contains("error") { "alert" } else { "status" }>
            {move || line().1}
        </p>
        <StartFresh />
    }
}
