//! The Results group's figures: the selected image's Summarize figures, corrected count and
//! regions, and the table of all images.

use super::{All, Selected};
use crate::{
    app::{state::use_app_state, viewer::annotate},
    count::{summary::Summary, table},
};
use leptos::prelude::*;

/// The selected image's Summarize figures and its corrected count (Cell Counter).
#[component]
pub fn SelectedFigures(
    /// The selected image's summary.
    selected: Selected,
) -> impl IntoView {
    let state = use_app_state();
    let forget_stale = move |_| {
        let Some(id) = state.images.selected.get_untracked() else {
            return;
        };
        if let Some(t) = annotate::tally(state, id) {
            let action = state
                .annotations
                .corrections
                .with_untracked(|c| c.get(&id).and_then(|c| c.forget_stale(&t)));
            if let Some(a) = action {
                state.annotations.corrections.update(|c| {
                    c.entry(id).or_default().apply(a);
                });
            }
        }
    };
    view! {
        {move || selected.get().map(|(_, s)| view! {
            <table class="figures" data-testid="summary">
                <caption>"Summary (ImageJ Summarize)"</caption>
                <tbody>
                    {table::summarize::<Summary>().into_iter().map(|c| view! {
                        <tr><th scope="row">{c.heading_in(s.calibration.map(|c| c.unit))}</th>
                            <td data-testid=format!("s-{}", c.slug())>{c.text(&s)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <table class="figures" data-testid="corrections">
                <caption>"Corrected count (Cell Counter)"</caption>
                <tbody>
                    <tr><th scope="row">"Automatic"</th><td data-testid="c-automatic">{s.automatic}</td></tr>
                    <tr><th scope="row">"Removed"</th><td data-testid="c-removed">{s.removed}</td></tr>
                    <tr><th scope="row">"Added"</th><td data-testid="c-added">{s.added}</td></tr>
                    <tr><th scope="row">"Corrected"</th><td data-testid="c-total">{s.corrected}</td></tr>
                    {s.per_type.iter().map(|(id, name, n)| view! {
                        <tr><th scope="row">{format!("Type {id}: {name}")}</th>
                            <td data-testid=format!("c-type-{id}")>{*n}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(s.stale > 0).then(|| view! {
                <p class="small" data-testid="c-stale">
                    {format!("{} removal(s) no longer apply: their object is gone with these parameters. ", s.stale)}
                    <button class="linklike" type="button" on:click=forget_stale>"Forget them"</button>
                </p>
            })}
        })}
    }
}

/// The selected image's regions, with their counts, names and delete buttons.
#[component]
pub fn RegionTable(
    /// The selected image's summary.
    selected: Selected,
) -> impl IntoView {
    let state = use_app_state();
    view! {
        {move || selected.get().map(|(_, s)| view! {
            <table class="figures rois" data-testid="roi-table">
                <caption>"Regions (count by centroid)"</caption>
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Count"</th><th scope="col">{match s.calibration {
                    Some(c) => format!("Area {}", c.area_unit()),
                    None => "Area px".to_string(),
                }}</th><th scope="col">{if s.calibration.is_some() { "per mm²" } else { "per Mpx" }}</th><th scope="col"><span class="sr-only">"Delete"</span></th></tr></thead>
                <tbody>
                    {s.rois.iter().enumerate().map(|(i, r)| {
                        let input_id = format!("roi-name-{i}");
                        view! {
                            <tr data-testid="roi-row">
                                <td>
                                    <label class="sr-only" for=input_id.clone()>"Region name"</label>
                                    <input id=input_id class="short-text" type="text" maxlength="40" data-testid="roi-name"
                                        prop:value=r.name.clone()
                                        on:change=move |e| {
                                            let name = event_target_value(&e).trim().to_string();
                                            if let (false, Some(id)) = (name.is_empty(), state.images.selected.get_untracked()) {
                                                state.annotations.rois.update(|m| if let Some(roi) = m.get_mut(&id).and_then(|l| l.get_mut(i)) { roi.name = name; });
                                            }
                                        } />
                                </td>
                                <td data-testid="roi-count">{r.count}</td>
                                <td data-testid="roi-area">{match s.calibration {
                                    Some(c) => table::calibrated_number(r.area_in(&c), 1),
                                    None => r.area_px.to_string(),
                                }}</td>
                                <td data-testid="roi-density">{match s.calibration {
                                    Some(c) => format!("{:.1}", r.density_per_mm2(&c)),
                                    None => format!("{:.1}", r.density_per_mpx),
                                }}</td>
                                <td><button class="remove" type="button" data-testid="roi-delete" aria-label=format!("Delete {}", r.name)
                                    on:click=move |_| if let Some(id) = state.images.selected.get_untracked() {
                                        state.annotations.rois.update(|m| if let Some(l) = m.get_mut(&id) && i < l.len() { l.remove(i); });
                                    }>"×"</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {s.rois.is_empty().then(|| view! {
                <p class="small">"Draw a rectangle (r) or polygon (p) on the image to count inside it."</p>
            })}
        })}
    }
}

/// Count, corrected count and %Area of every image.
#[component]
pub fn AllImages(
    /// Every image's summary.
    all: All,
) -> impl IntoView {
    view! {
        <table class="figures all-images" data-testid="all-summary">
            <caption>"All images"</caption>
            <thead><tr><th scope="col">"Image"</th><th scope="col">"Count"</th><th scope="col">"Corrected"</th><th scope="col">"%Area"</th></tr></thead>
            <tbody>
                {move || all.get().into_iter().map(|(_, s)| view! {
                    <tr data-testid="all-row">
                        <th scope="row" class="name">{s.image.clone()}</th>
                        <td>{s.summarize.count}</td>
                        <td>{s.corrected}</td>
                        <td>{format!("{:.2}", s.summarize.percent_area)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
