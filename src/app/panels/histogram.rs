//! The histogram of the analysed (thresholded) plane as SVG, linear or log, with the threshold
//! drawn on it; dragging the line sets a manual level. With a local method, the band of
//! intensities where detected objects start is shaded instead.

use crate::app::state::use_app_state;
use crate::{count::ThresholdMethod, imaging::histogram::display_bins};
use leptos::{ev, html, prelude::*};

/// Width of the SVG's coordinate system: one unit per bin.
const W: f64 = 256.0;
/// Height of the SVG's coordinate system.
const H: f64 = 100.0;

/// The histogram panel.
#[component]
pub fn HistogramView() -> impl IntoView {
    let state = use_app_state();
    let log = RwSignal::new(false);
    let svg_ref = NodeRef::<html::Div>::new();
    let dragging = RwSignal::new(false);
    // (bins, first value, value per bin) of the selected image's thresholded plane.
    let data = Memo::new(move |_| {
        state.counting.outcomes.track();
        let id = state.images.selected.get()?;
        let hist = state.images.slots.with_value(|s| {
            s.get(&id)
                .and_then(|s| s.prepared.as_ref().map(|(_, p)| p.histogram.clone()))
        })?;
        Some(display_bins(&hist, W as usize))
    });
    let path = move || {
        let Some((bins, _, _)) = data.get() else {
            return String::new();
        };
        let tr = |c: u64| {
            if log.get() {
                (c as f64).ln_1p()
            } else {
                c as f64
            }
        };
        let top = bins.iter().map(|&c| tr(c)).fold(0.0, f64::max).max(1e-9);
        let mut d = format!("M0 {H}");
        for (i, &c) in bins.iter().enumerate() {
            let y = H - tr(c) / top * H;
            d.push_str(&format!(" L{i} {y:.2} L{} {y:.2}", i + 1));
        }
        d.push_str(&format!(" L{} {H} Z", bins.len()));
        d
    };
    let level = Memo::new(move |_| state.selected_outcome().and_then(|o| o.analysis.level));
    let x_of = move |v: f64| {
        data.get()
            .map(|(_, lo, per)| ((v - lo) / per).clamp(0.0, W))
            .unwrap_or(0.0)
    };
    // With a local method: the range from the dimmest to the brightest object minimum.
    let band = move || {
        if !state
            .counting
            .params
            .with(|p| matches!(p.method, ThresholdMethod::Local(_)))
        {
            return None;
        }
        let o = state.selected_outcome()?;
        let mins = o.analysis.objects.iter().map(|ob| f64::from(ob.min));
        let lo = mins.clone().fold(f64::INFINITY, f64::min);
        let hi = mins.fold(f64::NEG_INFINITY, f64::max);
        lo.is_finite()
            .then(|| (x_of(lo), x_of(hi).max(x_of(lo) + 1.0)))
    };
    let set_from = move |e: &ev::PointerEvent| {
        let (Some(el), Some((_, lo, per))) = (svg_ref.get_untracked(), data.get_untracked()) else {
            return;
        };
        let r = el.get_bounding_client_rect();
        if r.width() <= 0.0 {
            return;
        }
        let x = ((f64::from(e.client_x()) - r.left()) / r.width() * W).clamp(0.0, W);
        let v = (lo + x * per).round().clamp(0.0, 65535.0) as u16;
        state.set_params(|p| {
            p.method = ThresholdMethod::Manual;
            p.level = v;
        });
    };
    let range = move || {
        data.get().map_or_else(String::new, |(bins, lo, per)| {
            format!("{lo:.0}–{:.0}", lo + per * bins.len() as f64 - 1.0)
        })
    };
    view! {
        <div class="histogram" data-testid="histogram">
            <div class="row">
                <span class="small">"Analysed channel " <span data-testid="histogram-range">{range}</span></span>
                <div class="field check">
                    <input id="histogram-log" type="checkbox" data-testid="histogram-log"
                        prop:checked=move || log.get() on:change=move |e| log.set(event_target_checked(&e)) />
                    <label for="histogram-log">"Log scale"</label>
                </div>
            </div>
            <div class="histogram-plot" node_ref=svg_ref
                on:pointerdown=move |e: ev::PointerEvent| {
                    if let Some(el) = svg_ref.get_untracked() {
                        let _ = el.set_pointer_capture(e.pointer_id());
                    }
                    dragging.set(true);
                    set_from(&e);
                }
                on:pointermove=move |e: ev::PointerEvent| if dragging.get_untracked() { set_from(&e) }
                on:pointerup=move |_| dragging.set(false)
                on:pointercancel=move |_| dragging.set(false)>
                <svg viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="img"
                    aria-label="Histogram of the analysed channel with the threshold; drag to set a manual level">
                    {move || band().map(|(a, b)| view! {
                        <rect class="band" data-testid="histogram-band" x=a y="0" width=b - a height=H />
                    })}
                    <path class="bars" data-testid="histogram-path" d=path />
                    {move || level.get().map(|l| {
                        let x = x_of(f64::from(l) + 0.5);
                        view! {
                            <line class="threshold" data-testid="histogram-threshold"
                                data-level=l.to_string()
                                x1=x x2=x y1="0" y2=H />
                        }
                    })}
                </svg>
            </div>
        </div>
    }
}
