//! The app's state, shared through context: parameters, loaded images and their counts.

pub use crate::view::overlay::{LayerSetting, Overlay};

use super::{learn::choice::ModelChoice, pool};
use crate::{
    count::{
        Analysis, Params,
        cellcounter::Corrections,
        pipeline::{Prepared, prepared_matches},
        presets::Collection,
        roi::Roi,
        scoring::{ImageScore, Pooled, ScoreOptions, check_size},
    },
    imaging::{BitMask, Image, calibration::Calibration},
    protocol::{
        learn::ModelUse,
        messages::{Request, Response},
    },
    view::{display::DisplaySettings, viewport::View},
};
use leptos::{prelude::*, task::spawn_local};
use std::{collections::HashMap, sync::Arc};

/// One entry of the image list: a decoded image or a file that could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Unique id.
    pub id: u64,
    /// File name.
    pub name: String,
    /// `Ok(description)` of the decoded image, or `Err(reason)`.
    pub status: Result<String, String>,
    /// The file name of its ground-truth mask, if one is attached.
    pub mask: Option<String>,
}

/// A mask that could not be paired with an image by name; the user picks the image.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingMask {
    /// Unique id.
    pub id: u64,
    /// File name.
    pub name: String,
    /// The mask.
    pub mask: Arc<BitMask>,
}

/// The heavy, non-reactive data of a decoded image.
pub struct Slot {
    /// The decoded image.
    pub image: Arc<Image>,
    /// The worker that keeps a copy of it and counts it.
    pub worker: usize,
    /// The channel and smoothing, with the parameters they were made with.
    pub prepared: Option<(Params, Arc<Prepared>)>,
    /// The ground-truth mask, when one is attached.
    pub truth: Option<Arc<BitMask>>,
    /// The collection detected from the image's colour (`None` for a grey image): its preset is
    /// the image's parameters while the preset is *Auto*.
    pub collection: Option<Collection>,
}

/// What a count depends on besides the image (see `AppState::count_key`): the parameters, the
/// scoring options, which mask is attached and the model that counts.
pub type CountKey = (Params, ScoreOptions, usize, Option<ModelUse>);

/// The latest count of one image.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The analysis.
    pub analysis: Arc<Analysis>,
    /// Time the analysis took in its worker, in milliseconds.
    pub ms: f64,
    /// The score against the image's mask, when it has one.
    pub score: Option<Arc<ImageScore>>,
    /// What it was counted with.
    pub key: CountKey,
}

/// What a click in the image does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// Look: drag pans, hover reads pixels.
    Inspect,
    /// Cell Counter: a click adds a marker of the current type.
    Add,
    /// A click removes the detected object (or the marker) under it, or restores a removed one.
    Remove,
    /// Drag a rectangle region.
    Rectangle,
    /// Click polygon vertices; double-click, Enter or a click on the first vertex closes it.
    Polygon,
}

impl Tool {
    /// Every tool, in toolbar order.
    pub const ALL: [Tool; 5] = [
        Tool::Inspect,
        Tool::Add,
        Tool::Remove,
        Tool::Rectangle,
        Tool::Polygon,
    ];

    /// Name, for buttons and test ids.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Inspect => "inspect",
            Tool::Add => "add",
            Tool::Remove => "remove",
            Tool::Rectangle => "rectangle",
            Tool::Polygon => "polygon",
        }
    }

    /// Button text.
    pub fn label(self) -> &'static str {
        match self {
            Tool::Inspect => "Pan",
            Tool::Add => "Add cell",
            Tool::Remove => "Remove",
            Tool::Rectangle => "Rectangle ROI",
            Tool::Polygon => "Polygon ROI",
        }
    }

    /// Keyboard shortcut.
    pub fn key(self) -> char {
        match self {
            Tool::Inspect => 'v',
            Tool::Add => 'a',
            Tool::Remove => 'x',
            Tool::Rectangle => 'r',
            Tool::Polygon => 'p',
        }
    }
}

/// What is under the pointer.
#[derive(Clone, Debug, PartialEq)]
pub struct Readout {
    /// Pixel x.
    pub x: u32,
    /// Pixel y.
    pub y: u32,
    /// The raw samples, in the image's own depth.
    pub values: Vec<u16>,
    /// The object there, if any.
    pub object: Option<u32>,
    /// The object a filter removed there, if any (its label in `Analysis::rejected`).
    pub rejected: Option<u32>,
}

/// Where the parameters come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresetChoice {
    /// Each image with the preset of the collection detected from its colour; the value is the
    /// selected image's (whose parameters the panel shows).
    Auto(Option<Collection>),
    /// A collection's preset.
    Fixed(Collection),
    /// Edited by hand.
    Custom,
}

impl PresetChoice {
    /// The value of the preset menu.
    pub fn value(self) -> &'static str {
        match self {
            PresetChoice::Auto(_) => "auto",
            PresetChoice::Fixed(c) => c.name(),
            PresetChoice::Custom => "custom",
        }
    }
}

/// The images: the list, their decoded copies, the selection and their display settings.
#[derive(Clone, Copy)]
pub struct Images {
    /// The image list, in load order.
    pub items: RwSignal<Vec<Item>>,
    /// Decoded images by id.
    pub slots: StoredValue<HashMap<u64, Slot>>,
    /// The next item id.
    pub next_id: StoredValue<u64>,
    /// The image shown.
    pub selected: RwSignal<Option<u64>>,
    /// Masks waiting for the user to choose their image.
    pub pending_masks: RwSignal<Vec<PendingMask>>,
    /// Display settings per image id.
    pub displays: RwSignal<HashMap<u64, DisplaySettings>>,
    /// The calibration of each calibrated image, and where it came from.
    pub calibrations: RwSignal<HashMap<u64, ImageCalibration>>,
    /// Each image's file as it was read, by id, for *Save project*.
    pub files: StoredValue<HashMap<u64, web_sys::File>, LocalStorage>,
    /// Each mask's file as it was read, by file name, for *Save project*.
    pub mask_files: StoredValue<HashMap<String, web_sys::File>, LocalStorage>,
}

/// An image's calibration and where it came from (`from the TIFF resolution tags`, `set by
/// hand`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImageCalibration {
    /// The pixel size and unit.
    pub calibration: Calibration,
    /// Where it came from, in words.
    pub from: &'static str,
}

impl Images {
    fn new() -> Self {
        Images {
            items: RwSignal::new(Vec::new()),
            slots: StoredValue::new(HashMap::new()),
            next_id: StoredValue::new(1),
            selected: RwSignal::new(None),
            pending_masks: RwSignal::new(Vec::new()),
            displays: RwSignal::new(HashMap::new()),
            calibrations: RwSignal::new(HashMap::new()),
            files: StoredValue::new_local(HashMap::new()),
            mask_files: StoredValue::new_local(HashMap::new()),
        }
    }

    /// The calibration of image `id` (tracked), `None` when it is in pixels.
    pub fn calibration_of(&self, id: u64) -> Option<Calibration> {
        self.calibrations
            .with(|c| c.get(&id).map(|c| c.calibration))
    }

    /// A fresh image id.
    pub fn new_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    /// Number of images with a ground-truth mask (tracked).
    pub fn with_masks(&self) -> usize {
        self.items
            .with(|v| v.iter().filter(|i| i.mask.is_some()).count())
    }

    /// The worker that keeps image `id`, if it is loaded.
    pub fn worker_of(&self, id: u64) -> Option<usize> {
        self.slots
            .with_value(|s| s.get(&id).map(|slot| slot.worker))
    }

    /// The display settings of image `id` (tracked; the default until it has its own).
    pub fn display_of(&self, id: u64) -> DisplaySettings {
        self.displays
            .with(|d| d.get(&id).copied())
            .unwrap_or_default()
    }
}

/// Counting: the parameters and where they come from, the scoring protocol, the latest count of
/// each image, and the counts in flight.
#[derive(Clone, Copy)]
pub struct Counting {
    /// Analysis parameters.
    pub params: RwSignal<Params>,
    /// Where the parameters come from.
    pub preset: RwSignal<PresetChoice>,
    /// The scoring protocol's settings (the matching distance).
    pub scoring: RwSignal<ScoreOptions>,
    /// Latest count per image id.
    pub outcomes: RwSignal<HashMap<u64, Outcome>>,
    /// Images with a count in flight, each with whether a newer count is wanted after it.
    pub in_flight: StoredValue<HashMap<u64, bool>>,
    /// Number of images with a count in flight (for the busy indicator).
    pub busy: RwSignal<usize>,
    /// What the app is busy with, if anything.
    pub status: RwSignal<String>,
    /// The classifier that counts, if any, and its cut-off.
    pub model: RwSignal<ModelChoice>,
}

impl Counting {
    /// The latest count of image `id`, if it has one (untracked).
    pub fn outcome_of(&self, id: u64) -> Option<Outcome> {
        self.outcomes.with_untracked(|o| o.get(&id).cloned())
    }

    fn new() -> Self {
        Counting {
            params: RwSignal::new(Params::default()),
            preset: RwSignal::new(PresetChoice::Auto(None)),
            scoring: RwSignal::new(ScoreOptions::default()),
            outcomes: RwSignal::new(HashMap::new()),
            in_flight: StoredValue::new(HashMap::new()),
            busy: RwSignal::new(0),
            status: RwSignal::new(String::new()),
            model: RwSignal::new(ModelChoice::default()),
        }
    }
}

/// The viewer: zoom and centre, its size, the tool, what the pointer or the table points at, the
/// overlay layers and the help.
#[derive(Clone, Copy)]
pub struct Viewer {
    /// The viewer's zoom and centre.
    pub view: RwSignal<View>,
    /// The viewer's size in CSS pixels.
    pub viewport: RwSignal<(f64, f64)>,
    /// The viewer's tool.
    pub tool: RwSignal<Tool>,
    /// The object under the pointer or hovered in the table.
    pub hovered: RwSignal<Option<u32>>,
    /// The object chosen in the table (outlined until another is chosen).
    pub chosen: RwSignal<Option<u32>>,
    /// What is under the pointer.
    pub readout: RwSignal<Option<Readout>>,
    /// The shortcut help is open.
    pub help: RwSignal<bool>,
    /// Overlay switches.
    pub overlay: RwSignal<Overlay>,
    /// Object numbers left out of the screen because they would overlap others.
    pub numbers_hidden: RwSignal<usize>,
    /// The scale bar layer (drawn only on a calibrated image).
    pub scale_bar: RwSignal<bool>,
}

impl Viewer {
    fn new() -> Self {
        Viewer {
            view: RwSignal::new(View::default()),
            viewport: RwSignal::new((0.0, 0.0)),
            tool: RwSignal::new(Tool::Inspect),
            hovered: RwSignal::new(None),
            chosen: RwSignal::new(None),
            readout: RwSignal::new(None),
            help: RwSignal::new(false),
            overlay: RwSignal::new(Overlay::default()),
            numbers_hidden: RwSignal::new(0),
            scale_bar: RwSignal::new(false),
        }
    }
}

/// What the user adds by hand: corrections and markers, regions, and the region being drawn.
#[derive(Clone, Copy)]
pub struct Annotations {
    /// Manual corrections per image id.
    pub corrections: RwSignal<HashMap<u64, Corrections>>,
    /// Regions of interest per image id.
    pub rois: RwSignal<HashMap<u64, Vec<Roi>>>,
    /// The marker type the add tool places.
    pub marker_type: RwSignal<u32>,
    /// The region being drawn, in image coordinates.
    pub draft: RwSignal<Vec<(f64, f64)>>,
}

impl Annotations {
    fn new() -> Self {
        Annotations {
            corrections: RwSignal::new(HashMap::new()),
            rois: RwSignal::new(HashMap::new()),
            marker_type: RwSignal::new(1),
            draft: RwSignal::new(Vec::new()),
        }
    }
}

/// Files being read.
#[derive(Clone, Copy)]
pub struct Loading {
    /// Files read so far and in all, while files are loading.
    pub progress: RwSignal<Option<(usize, usize)>>,
    /// Bumped by "Cancel": loads started before stop at their next file.
    pub epoch: StoredValue<u64>,
}

impl Loading {
    fn new() -> Self {
        Loading {
            progress: RwSignal::new(None),
            epoch: StoredValue::new(0),
        }
    }
}

/// An image as its worker sends it back: the image, its true mask for a synthetic one, the
/// display settings it opens with and the collection its colour says (both read from its pixels
/// in the worker).
pub struct Decoded {
    /// The image.
    pub image: Image,
    /// Its true mask.
    pub truth: Option<Arc<BitMask>>,
    /// The display settings it opens with.
    pub display: DisplaySettings,
    /// The collection detected from its colour.
    pub collection: Option<Collection>,
}

impl Decoded {
    /// The image of a [`Response::Image`]; `None` for any other response.
    pub fn of(response: Response) -> Option<Decoded> {
        match response {
            Response::Image {
                image,
                truth,
                display,
                collection,
            } => Some(Decoded {
                image,
                truth: truth.map(Arc::new),
                display,
                collection,
            }),
            _ => None,
        }
    }
}

/// Everything the components share, in five small parts, each also provided as its own context
/// (`use_context::<Annotations>()` and so on) for a component that needs only that part. The
/// methods that span parts (adding an image, counting, presets) are on `AppState`.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The images.
    pub images: Images,
    /// Parameters and counts.
    pub counting: Counting,
    /// The viewer's state.
    pub viewer: Viewer,
    /// Corrections, markers and regions.
    pub annotations: Annotations,
    /// Files being read.
    pub loading: Loading,
}

/// Creates the app state and provides it as context, whole and in its parts.
pub fn provide_app_state() -> AppState {
    let state = AppState {
        images: Images::new(),
        counting: Counting::new(),
        viewer: Viewer::new(),
        annotations: Annotations::new(),
        loading: Loading::new(),
    };
    provide_context(state.images);
    provide_context(state.counting);
    provide_context(state.viewer);
    provide_context(state.annotations);
    provide_context(state.loading);
    provide_context(state);
    state
}

/// The app state from context.
pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}

/// The viewer's state from context.
pub fn use_viewer() -> Viewer {
    expect_context::<Viewer>()
}

impl AppState {
    /// Adds a file that could not be read.
    pub fn add_error(&self, name: String, reason: String) {
        let id = self.images.new_id();
        self.images.items.update(|v| {
            v.push(Item {
                id,
                name,
                status: Err(reason),
                mask: None,
            })
        });
    }

    /// Adds an image decoded (and kept) by worker `worker` under `id`; counts it with the current
    /// parameters and selects it if nothing is.
    pub fn add_image(&self, id: u64, name: String, worker: usize, decoded: Decoded) -> u64 {
        let Decoded {
            image,
            truth,
            display,
            collection,
        } = decoded;
        let description = image.describe();
        self.images.displays.update(|d| {
            d.insert(id, display);
        });
        let slot = Slot {
            image: Arc::new(image),
            worker,
            prepared: None,
            truth,
            collection,
        };
        self.images.slots.update_value(|s| {
            s.insert(id, slot);
        });
        self.images.items.update(|v| {
            v.push(Item {
                id,
                name,
                status: Ok(description),
                mask: None,
            })
        });
        // The first image picks the automatic preset before its first count, so that no count
        // with the parameters of no image is ever shown.
        if self.images.selected.get_untracked().is_none() {
            self.images.selected.set(Some(id));
            if matches!(self.counting.preset.get_untracked(), PresetChoice::Auto(_)) {
                self.choose_auto_preset();
            }
        }
        self.request_count(id);
        id
    }

    /// Attaches a ground-truth mask to an image and rescores it; a mask whose size differs from
    /// the image's is refused with the reason.
    pub fn attach_mask(&self, id: u64, name: String, mask: Arc<BitMask>) -> Result<(), String> {
        let image_size = self
            .images
            .slots
            .with_value(|s| s.get(&id).map(|s| (s.image.width(), s.image.height())))
            .ok_or_else(|| format!("{name}: its image is no longer loaded"))?;
        check_size(image_size, (mask.width(), mask.height())).map_err(|e| {
            let image_name = self
                .images
                .items
                .with_untracked(|v| v.iter().find(|i| i.id == id).map(|i| i.name.clone()))
                .unwrap_or_default();
            e.explain(Some(&image_name))
        })?;
        self.set_truth(id, Some(mask));
        self.images.items.update(|v| {
            if let Some(item) = v.iter_mut().find(|i| i.id == id) {
                item.mask = Some(name);
            }
        });
        self.request_count(id);
        Ok(())
    }

    /// Detaches an image's mask.
    pub fn detach_mask(&self, id: u64) {
        self.set_truth(id, None);
        self.images.items.update(|v| {
            if let Some(item) = v.iter_mut().find(|i| i.id == id) {
                item.mask = None;
            }
        });
        self.counting.outcomes.update(|o| {
            if let Some(out) = o.get_mut(&id) {
                out.score = None;
            }
        });
    }

    /// The width and height of the selected image.
    pub fn selected_size(&self) -> Option<(u32, u32)> {
        let id = self.images.selected.get_untracked()?;
        self.images
            .slots
            .with_value(|s| s.get(&id).map(|s| (s.image.width(), s.image.height())))
    }

    /// Removes an item; the selection moves to the first remaining image.
    pub fn remove(&self, id: u64) {
        self.images.items.update(|v| v.retain(|i| i.id != id));
        self.images.displays.update(|d| {
            d.remove(&id);
        });
        self.images.calibrations.update(|c| {
            c.remove(&id);
        });
        self.images.files.update_value(|f| {
            f.remove(&id);
        });
        self.annotations.corrections.update(|c| {
            c.remove(&id);
        });
        self.annotations.rois.update(|r| {
            r.remove(&id);
        });
        let worker = self.images.worker_of(id);
        self.images.slots.update_value(|s| {
            s.remove(&id);
        });
        if let Some(worker) = worker {
            spawn_local(async move {
                let _ = pool::call(worker, &Request::Forget { id }).await;
            });
        }
        self.counting.outcomes.update(|o| {
            o.remove(&id);
        });
        if self.images.selected.get_untracked() == Some(id) {
            let next = self
                .images
                .items
                .with_untracked(|v| v.iter().find(|i| i.status.is_ok()).map(|i| i.id));
            self.images.selected.set(next);
        }
    }

    /// Sets (or clears) the true mask of image `id`, here and in its worker.
    fn set_truth(&self, id: u64, mask: Option<Arc<BitMask>>) {
        let worker = self.images.slots.try_update_value(|s| {
            s.get_mut(&id).map(|slot| {
                slot.truth = mask.clone();
                slot.worker
            })
        });
        if let Some(Some(worker)) = worker {
            let mask = mask.map(|m| (*m).clone());
            spawn_local(async move {
                let _ = pool::call(worker, &Request::SetTruth { id, mask }).await;
            });
        }
    }

    /// Counts image `id` with the current parameters in its worker. At most one count per image
    /// is in flight: a call while one runs asks for one more afterwards, with the parameters of
    /// that moment, so a burst of slider moves costs two counts, not one per event.
    pub fn request_count(&self, id: u64) {
        let running = self.counting.in_flight.with_value(|c| c.contains_key(&id));
        self.counting.in_flight.update_value(|c| {
            c.insert(id, running);
        });
        if running {
            return;
        }
        self.counting.busy.update(|b| *b += 1);
        let state = *self;
        spawn_local(async move {
            loop {
                let sent = state.count_once(id).await;
                let again = state
                    .counting
                    .in_flight
                    .try_update_value(|c| match c.get(&id).copied() {
                        // Asked again, with other parameters than the ones just counted.
                        Some(true) if sent.as_ref() != Some(&state.count_key(id)) => {
                            c.insert(id, false);
                            true
                        }
                        _ => {
                            c.remove(&id);
                            false
                        }
                    })
                    .unwrap_or(false);
                if !again {
                    break;
                }
            }
            state.counting.busy.update(|b| *b = b.saturating_sub(1));
        });
    }

    /// What a count of image `id` depends on besides the image: the parameters, the scoring
    /// options and which mask is attached.
    pub fn count_key(&self, id: u64) -> CountKey {
        (
            self.params_for(id),
            self.counting.scoring.get_untracked(),
            self.truth_tag(id),
            self.model_for(id),
        )
    }

    /// The collection image `id` is counted as: the chosen preset's, else its own.
    pub fn counted_as(&self, id: u64) -> Collection {
        match self.counting.preset.get_untracked() {
            PresetChoice::Fixed(c) => c,
            _ => self.auto_collection(id),
        }
    }

    /// The model that counts image `id`, if one does.
    pub fn model_for(&self, id: u64) -> Option<ModelUse> {
        let c = self.counted_as(id);
        self.counting.model.with_untracked(|m| m.use_for(Some(c)))
    }

    /// The collection detected from image `id`'s colour (`None`: grey, or not loaded).
    pub fn collection_of(&self, id: u64) -> Option<Collection> {
        self.images
            .slots
            .with_value(|s| s.get(&id).and_then(|slot| slot.collection))
    }

    /// The preset image `id` gets under *Auto*: its collection's, yellow for a grey image.
    pub fn auto_collection(&self, id: u64) -> Collection {
        self.collection_of(id).unwrap_or_default()
    }

    /// The parameters image `id` is counted with: with a model counting, the model's candidate
    /// setting; else under *Auto* its own collection's preset (so an image's count never depends
    /// on which image is selected), else the current ones.
    pub fn params_for(&self, id: u64) -> Params {
        let c = self.counted_as(id);
        self.counting
            .model
            .with_untracked(|m| m.params(c))
            .unwrap_or_else(|| self.preset_params_for(id))
    }

    /// The parameters image `id` would be counted with by the parameters alone (no model).
    pub fn preset_params_for(&self, id: u64) -> Params {
        match self.counting.preset.get_untracked() {
            PresetChoice::Auto(_) => self.auto_collection(id).preset(),
            _ => self.counting.params.get_untracked(),
        }
    }

    /// The parameter text of image `id` for an export's header, naming the model and cut-off
    /// when a model counts.
    pub fn params_text_for(&self, id: u64) -> String {
        let c = self.counted_as(id);
        let model = self
            .counting
            .model
            .with_untracked(|m| Some((m.model_of(c)?.name.clone(), m.cutoff_of(c)?)));
        let text = self.params_for(id).to_query();
        match model {
            Some((name, cutoff)) => format!(
                "{text}; counted with the model \"{}\" at cut-off {cutoff:.2} (candidates found with these parameters)",
                name.replace(['\n', '\r'], " ")
            ),
            None => text,
        }
    }

    /// Whether image `id`'s latest count was made with what it would be counted with now.
    pub fn is_current(&self, id: u64) -> bool {
        let key = self.count_key(id);
        self.counting
            .outcomes
            .with_untracked(|o| o.get(&id).is_some_and(|o| o.key == key))
    }

    /// Which mask image `id` has (its address), 0 for none.
    fn truth_tag(&self, id: u64) -> usize {
        self.images.slots.with_value(|s| {
            s.get(&id)
                .and_then(|slot| slot.truth.as_ref())
                .map_or(0, |t| Arc::as_ptr(t) as usize)
        })
    }

    /// One count of image `id`; returns what it was counted with, if it was.
    async fn count_once(self, id: u64) -> Option<CountKey> {
        let params = self.params_for(id);
        let truth = self.truth_tag(id);
        let (worker, want_prepared) = self.images.slots.with_value(|s| {
            s.get(&id).map(|slot| {
                let have = slot
                    .prepared
                    .as_ref()
                    .is_some_and(|(with, _)| prepared_matches(with, &params));
                (slot.worker, !have)
            })
        })?;
        let scoring = self.counting.scoring.get_untracked();
        let model = self.model_for(id);
        let request = Request::Count {
            id,
            params: params.clone(),
            scoring,
            want_prepared,
            model: model.clone(),
        };
        let response = pool::call(worker, &request).await;
        let still_loaded = self.images.slots.with_value(|s| s.contains_key(&id));
        if !still_loaded {
            return None;
        }
        match response {
            Ok(Response::Counted {
                analysis,
                prepared,
                score,
                ms,
            }) => {
                if let Some(p) = prepared {
                    let p = Arc::new(*p);
                    self.images.slots.update_value(|s| {
                        if let Some(slot) = s.get_mut(&id) {
                            slot.prepared = Some((params.clone(), p));
                        }
                    });
                }
                self.counting.outcomes.update(|o| {
                    o.insert(
                        id,
                        Outcome {
                            analysis,
                            ms,
                            score: score.map(Arc::new),
                            key: (params.clone(), scoring, truth, model.clone()),
                        },
                    );
                });
            }
            Ok(Response::Failed(reason)) | Err(reason) => {
                let name = self
                    .images
                    .items
                    .with_untracked(|v| v.iter().find(|i| i.id == id).map(|i| i.name.clone()))
                    .unwrap_or_default();
                self.counting
                    .status
                    .set(format!("{name}: the count failed: {reason}"));
            }
            Ok(_) => {}
        }
        Some((params, scoring, truth, model))
    }

    /// Sets the parameters from a preset (or a reset) and recounts everything.
    pub fn apply_preset(&self, choice: PresetChoice, params: Params) {
        self.counting.params.set(params);
        self.counting.preset.set(choice);
        self.recount_all();
    }

    /// Changes the parameters and recounts every image.
    pub fn set_params(self, change: impl FnOnce(&mut Params)) {
        self.counting.params.update(change);
        self.counting.preset.set(PresetChoice::Custom);
        self.recount_all();
    }

    /// Recounts the selected image, then the others (each in its worker; see
    /// [`AppState::request_count`]); an image whose latest count was made with what it would be
    /// counted with now (under *Auto*, when only the selection changed) is left as it is.
    pub fn recount_all(self) {
        let selected = self.images.selected.get_untracked();
        let mut order: Vec<u64> = self
            .images
            .slots
            .with_value(|s| s.keys().copied().collect());
        order.sort_by_key(|&id| (Some(id) != selected, id));
        for id in order {
            let running = self.counting.in_flight.with_value(|c| c.contains_key(&id));
            if running || !self.is_current(id) {
                self.request_count(id);
            }
        }
    }

    /// Counts every image with the preset of its own colour (yellow for grey images); the panel
    /// shows the selected image's. Images already counted so are not counted again.
    pub fn choose_auto_preset(&self) {
        let detected = self
            .images
            .selected
            .get_untracked()
            .and_then(|id| self.collection_of(id));
        let params = detected.unwrap_or_default().preset();
        if self.counting.params.get_untracked() != params
            || self.counting.preset.get_untracked() != PresetChoice::Auto(detected)
        {
            self.apply_preset(PresetChoice::Auto(detected), params);
        }
    }

    /// The pooled figures over every image with a mask, and how many images that is.
    pub fn pooled(&self) -> Option<Pooled> {
        let scores: Vec<ImageScore> = self.counting.outcomes.with(|o| {
            self.images.items.with(|items| {
                items
                    .iter()
                    .filter_map(|i| o.get(&i.id)?.score.as_deref().cloned())
                    .collect()
            })
        });
        (!scores.is_empty()).then(|| Pooled::new(&scores))
    }

    /// The latest count of the selected image.
    pub fn selected_outcome(&self) -> Option<Outcome> {
        let id = self.images.selected.get()?;
        self.counting.outcomes.with(|o| o.get(&id).cloned())
    }
}
