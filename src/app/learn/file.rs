//! Saving the user's own model as a `.fcmodel` file and loading one.

use super::session::Learning;
use crate::{
    app::{browser::read_bytes, results::download, state::AppState},
    count::learn::{Model, ModelError, model},
};
use leptos::prelude::*;

/// Offers the own model as a file, with the cut-off in use as its cut-off.
pub fn save(state: AppState, learning: Learning) {
    let Some(own) = learning.own.get_untracked() else {
        return;
    };
    let mut model = (*own.model).clone();
    if let Some(c) = state.counting.model.with_untracked(|m| m.cutoff) {
        model.cutoff = c;
    }
    let text = model.to_text();
    match download("fluocount.fcmodel", text.as_bytes(), "text/plain") {
        Ok(()) => learning.notice.set(None),
        Err(e) => learning
            .notice
            .set(Some(format!("The model could not be saved: {e}"))),
    }
}

/// Reads a model file; it becomes the own model. A file that is not a model (or not of this
/// version, or damaged) changes nothing, and the notice names the file and the reason.
pub async fn load(state: AppState, learning: Learning, file: web_sys::File) {
    let name = file.name();
    if file.size() > model::MAX_BYTES as f64 {
        let reason = ModelError::TooLarge(file.size() as usize).to_string();
        learning
            .notice
            .set(Some(format!("{name} was not loaded: {reason}")));
        return;
    }
    let text = read_bytes(&file)
        .await
        .and_then(|b| String::from_utf8(b).map_err(|_| "not a text file".to_string()));
    let model = text.and_then(|t| Model::parse(&t).map_err(|e| e.to_string()));
    let result = match model {
        Ok(m) => learning.set_own(state, m, name.clone()).await,
        Err(reason) => Err(reason),
    };
    learning.notice.set(match result {
        Ok(()) => Some(format!("{name}: loaded.")),
        Err(reason) => Some(format!("{name} was not loaded: {reason}")),
    });
}
