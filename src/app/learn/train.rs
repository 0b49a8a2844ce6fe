//! A training from the page: each labelled image's candidates found and labelled in the worker
//! that keeps it, then the forest grown (with leave-one-image-out folds) in the training worker.

use super::{
    session::{Figures, Learning, Run},
    trainer,
};
use crate::{
    app::{
        pool,
        state::{AppState, PresetChoice},
        viewer::annotate::{removed_flags, tally},
    },
    count::learn::{Candidates, Labelled, Model, TrainOptions, candidate_params},
    protocol::{
        learn::{LabelSource, TrainJob},
        messages::{Request, Response},
    },
};
use leptos::prelude::*;
use std::sync::Arc;

/// An image the user labelled: (id, worker, name, where its labels come from).
type Source = (u64, usize, String, LabelSource);

/// The images with labels, in the list's order: those with a mask, and those without one whose
/// count the user corrected (removed or added cells).
pub fn labelled_images(state: AppState) -> Vec<Source> {
    let items = state.images.items.get();
    state.annotations.corrections.track();
    state.counting.outcomes.track();
    items
        .iter()
        .filter_map(|i| {
            let (worker, masked) = state
                .images
                .slots
                .with_value(|s| s.get(&i.id).map(|s| (s.worker, s.truth.is_some())))?;
            if masked {
                return Some((i.id, worker, i.name.clone(), LabelSource::Mask));
            }
            let t = tally(state, i.id)?;
            if t.removed == 0 && t.added == 0 {
                return None;
            }
            Some((
                i.id,
                worker,
                i.name.clone(),
                LabelSource::Corrections {
                    objects: u32::try_from(t.automatic).ok()?,
                    removed: removed_flags(state, i.id),
                    added: u32::try_from(t.added).ok()?,
                },
            ))
        })
        .collect()
}

/// The candidate setting of a training: each collection's preset's (an image takes the chosen
/// preset's collection, else its own), or the edited parameters' for every image.
fn candidates(state: AppState) -> Candidates {
    match state.counting.preset.get_untracked() {
        PresetChoice::Custom => {
            Candidates::All(candidate_params(&state.counting.params.get_untracked()))
        }
        _ => Candidates::of_presets(),
    }
}

/// Trains on every labelled image; the result becomes the user's own model and the figures
/// are shown. A newer training or a cancel drops this one's result.
pub async fn train(state: AppState, learning: Learning) {
    let epoch = learning.epoch.get_value() + 1;
    learning.epoch.set_value(epoch);
    let current = move || learning.epoch.get_value() == epoch;
    let sources = untrack(|| labelled_images(state));
    if sources.is_empty() {
        learning.run.set(Run::Failed(
            "no image has a mask or corrections to learn from".into(),
        ));
        return;
    }
    let total = sources.len();
    learning.run.set(Run::Labelling { done: 0, total });
    let candidates = candidates(state);
    let scoring = state.counting.scoring.get_untracked();
    let replies: Vec<_> = sources
        .iter()
        .map(|(id, worker, name, source)| {
            let collection = state.counted_as(*id);
            pool::send(
                *worker,
                &Request::Label {
                    id: *id,
                    name: name.clone(),
                    candidates: candidates.for_collection(collection),
                    collection,
                    source: source.clone(),
                    scoring,
                },
            )
        })
        .collect();
    let mut images: Vec<Labelled> = Vec::with_capacity(total);
    for (reply, (_, _, name, _)) in replies.into_iter().zip(&sources) {
        let labelled = match reply.await {
            Ok(Response::Labelled(l)) => *l,
            Ok(Response::Failed(reason)) | Err(reason) => {
                if current() {
                    learning.run.set(Run::Failed(format!("{name}: {reason}")));
                }
                return;
            }
            Ok(_) => return,
        };
        images.push(labelled);
        if !current() {
            return;
        }
        learning.run.set(Run::Labelling {
            done: images.len(),
            total,
        });
    }
    let names: Vec<String> = images.iter().map(|l| l.name.clone()).collect();
    let true_counts: Vec<u32> = images.iter().map(|l| l.true_count).collect();
    let job = TrainJob {
        name: format!("trained on {}", names.join(", ")),
        candidates,
        images,
        options: TrainOptions::default(),
    };
    learning.run.set(Run::Training { done: 0, total: 0 });
    let result = trainer::train(job, move |done, total| {
        if current() {
            learning.run.set(Run::Training { done, total });
        }
    })
    .await;
    if !current() {
        return;
    }
    let result = match result {
        Ok(r) => r,
        Err(reason) if reason == "cancelled" => {
            learning.run.set(Run::Cancelled);
            return;
        }
        Err(reason) => {
            learning.run.set(Run::Failed(reason));
            return;
        }
    };
    let model = match Model::parse(&result.model) {
        Ok(m) => m,
        Err(e) => {
            learning.run.set(Run::Failed(format!(
                "the trained model cannot be read: {e}"
            )));
            return;
        }
    };
    // The model's own line says on how many images ("Your model: trained here (4 images, …)").
    let origin = "trained here".to_string();
    if let Err(reason) = learning.set_own(state, model, origin).await {
        learning.run.set(Run::Failed(reason));
        return;
    }
    learning.run.set(Run::Done(Arc::new(Figures {
        names,
        true_counts,
        held: result.held,
        curve: result.curve,
        seeds: result.seeds,
    })));
}

/// Cancels the training in progress.
pub fn cancel(learning: Learning) {
    learning.epoch.update_value(|e| *e += 1);
    trainer::cancel();
    learning.run.set(Run::Cancelled);
}
