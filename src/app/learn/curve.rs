//! The held-out precision–recall curve (SVG) with the cut-off as a point that a drag or the
//! arrow keys move along it (a `role="slider"`).

use super::session::set_cutoff;
use crate::{app::state::use_app_state, count::learn::CurvePoint};
use leptos::{ev, prelude::*};

const W: f64 = 260.0;
const H: f64 = 200.0;
const PAD: f64 = 32.0;

fn x_of(recall: f64) -> f64 {
    PAD + recall.clamp(0.0, 1.0) * (W - PAD - 8.0)
}

fn y_of(precision: f64) -> f64 {
    8.0 + (1.0 - precision.clamp(0.0, 1.0)) * (H - PAD - 8.0)
}

/// The curve's point nearest cut-off `c`.
pub fn at(curve: &[CurvePoint], c: f32) -> Option<CurvePoint> {
    curve
        .iter()
        .min_by(|a, b| (a.cutoff - c).abs().total_cmp(&(b.cutoff - c).abs()))
        .copied()
}

/// The precision–recall curve of `curve`, the point at `cutoff`.
#[component]
pub fn PrCurve(
    /// The curve's points, one per cut-off.
    curve: Vec<CurvePoint>,
    /// The cut-off in use.
    #[prop(into)]
    cutoff: Signal<f32>,
) -> impl IntoView {
    let state = use_app_state();
    let svg = NodeRef::<leptos::svg::Svg>::new();
    let dragging = StoredValue::new(false);
    let points: String = curve
        .iter()
        .map(|p| format!("{:.1},{:.1}", x_of(p.recall), y_of(p.precision)))
        .collect::<Vec<_>>()
        .join(" ");
    let pts = StoredValue::new(curve);
    let current = move || pts.with_value(|c| at(c, cutoff.get()));
    // The point of the curve nearest the pointer.
    let pick = move |e: &ev::PointerEvent| {
        let Some(el) = svg.get_untracked() else {
            return;
        };
        let r = el.get_bounding_client_rect();
        if r.width() <= 0.0 || r.height() <= 0.0 {
            return;
        }
        let x = (f64::from(e.client_x()) - r.left()) * W / r.width();
        let y = (f64::from(e.client_y()) - r.top()) * H / r.height();
        let best = pts.with_value(|c| {
            c.iter()
                .min_by(|a, b| {
                    let d = |p: &&CurvePoint| {
                        (x_of(p.recall) - x).powi(2) + (y_of(p.precision) - y).powi(2)
                    };
                    d(a).total_cmp(&d(b))
                })
                .map(|p| p.cutoff)
        });
        if let Some(c) = best {
            set_cutoff(state, c);
        }
    };
    let step = move |delta: f32| set_cutoff(state, cutoff.get_untracked() + delta);
    view! {
        <svg class="learn-curve" data-testid="learn-curve" node_ref=svg
            viewBox=format!("0 0 {W} {H}") role="group"
            aria-label="Precision against recall of the held-out scores at every cut-off"
            on:pointerdown=move |e| {
                dragging.set_value(true);
                if let Some(el) = svg.get_untracked() {
                    let _ = el.set_pointer_capture(e.pointer_id());
                }
                pick(&e);
            }
            on:pointermove=move |e| if dragging.get_value() { pick(&e) }
            on:pointerup=move |_| dragging.set_value(false)
            on:pointercancel=move |_| dragging.set_value(false)>
            <line class="axis" x1=PAD y1=H - PAD x2=W - 8.0 y2=H - PAD />
            <line class="axis" x1=PAD y1=8.0 x2=PAD y2=H - PAD />
            <text class="tick" x=PAD y=H - PAD + 12.0 text-anchor="middle">"0"</text>
            <text class="tick" x=W - 8.0 y=H - PAD + 12.0 text-anchor="middle">"1"</text>
            <text class="tick" x=PAD - 4.0 y=H - PAD text-anchor="end">"0"</text>
            <text class="tick" x=PAD - 4.0 y=12.0 text-anchor="end">"1"</text>
            <text class="label" x=(W + PAD) / 2.0 y=H - 6.0 text-anchor="middle">"Recall"</text>
            <text class="label" x=10.0 y=(H - PAD) / 2.0 text-anchor="middle"
                transform=format!("rotate(-90 10 {})", (H - PAD) / 2.0)>"Precision"</text>
            <polyline class="curve" points=points fill="none" />
            {move || current().map(|p| {
                let text = format!(
                    "cut-off {:.2}: precision {:.3}, recall {:.3}, F1 {:.3}",
                    p.cutoff, p.precision, p.recall, p.f1
                );
                let title = text.clone();
                view! {
                    <circle class="cutoff-point" data-testid="learn-curve-point" tabindex="0"
                        role="slider" aria-label="Cut-off" aria-valuemin="0" aria-valuemax="1"
                        aria-valuenow=format!("{:.2}", cutoff.get()) aria-valuetext=text.clone()
                        cx=x_of(p.recall) cy=y_of(p.precision) r="6"
                        on:keydown=move |e: ev::KeyboardEvent| {
                            let d = match e.key().as_str() {
                                "ArrowRight" | "ArrowUp" => 0.02,
                                "ArrowLeft" | "ArrowDown" => -0.02,
                                "PageUp" => 0.1,
                                "PageDown" => -0.1,
                                "Home" => -1.0,
                                "End" => 1.0,
                                _ => return,
                            };
                            e.prevent_default();
                            step(d);
                        }>
                        <title>{title}</title>
                    </circle>
                }
            })}
        </svg>
    }
}
