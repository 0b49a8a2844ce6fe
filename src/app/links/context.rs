//! The share-link context: where each image a link opened came from, what a link did not take,
//! what "Copy link" did, and the bookkeeping that keeps the address in step with the state
//! ([`super::share`]).

use crate::{
    view::{display::DisplaySettings, viewport::View},
    web::share::Source,
};
use leptos::prelude::*;
use std::collections::HashMap;

/// What "Copy link" did.
#[derive(Clone, Debug, PartialEq)]
pub struct Copied {
    /// The full address.
    pub url: String,
    /// The clipboard took it (otherwise the page shows it in a field to copy by hand).
    pub to_clipboard: bool,
    /// The shown image is a local file, which is not part of the link.
    pub local: bool,
}

/// The share-link state, shared through context.
#[derive(Clone, Copy)]
pub struct Links {
    /// Where each image a link or the gallery opened came from (absent: a local file).
    pub sources: RwSignal<HashMap<u64, Source>>,
    /// The display each of those images opened with (a link carries only a changed one).
    pub initial: StoredValue<HashMap<u64, DisplaySettings>>,
    /// What was not taken as written in the last link opened.
    pub notices: RwSignal<Vec<String>>,
    /// The last "Copy link".
    pub copied: RwSignal<Option<Copied>>,
    /// A remote image being fetched (its address).
    pub fetching: RwSignal<Option<String>>,
    /// The header's Demos menu is open. One popup at a time under the header: opening the menu
    /// dismisses the copy feedback and "Copy link" closes the menu.
    pub demos_open: RwSignal<bool>,
    /// The image of the last link opened did not load: the URL keeps naming it.
    pub(super) failed: RwSignal<Option<FailedLink>>,
    /// The URL follows the state (off while a link is being applied).
    pub(super) syncing: RwSignal<bool>,
    /// What the address holds as far as the page knows (without `#`): the link it opened with,
    /// then each fragment written or opened.
    pub(super) written: StoredValue<String>,
    /// The fragment to write next.
    pub(super) wanted: StoredValue<String>,
    /// A write is scheduled.
    pub(super) scheduled: StoredValue<bool>,
    /// Bumped by every link opened: an older one still loading does not apply its view.
    pub(super) epoch: StoredValue<u64>,
}

impl Links {
    /// A context with nothing opened, copied or written yet, the URL not yet following the state.
    pub fn new() -> Self {
        Links {
            sources: RwSignal::new(HashMap::new()),
            initial: StoredValue::new(HashMap::new()),
            notices: RwSignal::new(Vec::new()),
            copied: RwSignal::new(None),
            fetching: RwSignal::new(None),
            demos_open: RwSignal::new(false),
            failed: RwSignal::new(None),
            syncing: RwSignal::new(false),
            written: StoredValue::new(String::new()),
            wanted: StoredValue::new(String::new()),
            scheduled: StoredValue::new(false),
            epoch: StoredValue::new(0),
        }
    }
}

impl Default for Links {
    fn default() -> Self {
        Links::new()
    }
}

/// A link whose image did not load. The URL keeps its image, display and view (to retry the
/// link or share it) while the image selected when it failed stays selected, until another link
/// is opened.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct FailedLink {
    pub(super) source: Source,
    pub(super) display: Option<String>,
    pub(super) view: Option<View>,
    /// The image selected when it failed (still shown, if any).
    pub(super) selected: Option<u64>,
}

/// The links context.
pub fn use_links() -> Links {
    expect_context::<Links>()
}

/// The address's fragment, without `#`.
pub fn current_hash() -> String {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    hash.strip_prefix('#').unwrap_or(&hash).to_string()
}
