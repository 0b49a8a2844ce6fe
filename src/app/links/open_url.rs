//! "Open image from URL": the field where a person types an image address, opened as a link
//! that names it.

use super::{context::use_links, share::open_link};
use crate::{
    app::state::{PresetChoice, use_app_state},
    web::{
        links::FetchFailure,
        remote::check_image_url,
        share::{ShareState, Source},
    },
};
use leptos::{ev, prelude::*};

/// "Open image from URL": a person types an image address; it is fetched by the page.
#[component]
pub fn OpenUrl() -> impl IntoView {
    let state = use_app_state();
    let links = use_links();
    let (text, set_text) = signal(String::new());
    let (problem, set_problem) = signal(None::<String>);
    let on_submit = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let url = text.get_untracked().trim().to_string();
        match check_image_url(&url) {
            Err(why) => set_problem.set(Some(FetchFailure::Refused(why).message(&url))),
            Ok(()) => {
                set_problem.set(None);
                let share = ShareState {
                    params: state.counting.params.get_untracked(),
                    // Under Auto, the remote image gets its own colour's preset too.
                    auto: matches!(state.counting.preset.get_untracked(), PresetChoice::Auto(_)),
                    overlay: state.viewer.overlay.get_untracked(),
                    source: Some(Source::Remote(url)),
                    ..ShareState::default()
                };
                open_link(state, links, &share.to_fragment());
            }
        }
    };
    view! {
        <form class="open-url" on:submit=on_submit>
            <label for="url-input">"Open image from URL"</label>
            <div class="open-url-row">
                <input id="url-input" type="url" placeholder="https://…/image.png"
                    data-testid="url-input" autocomplete="off" spellcheck="false"
                    prop:value=text on:input=move |e| set_text.set(event_target_value(&e)) />
                <button class="button" type="submit" data-testid="url-open">"Open"</button>
            </div>
            <p class="small">"The page fetches the image itself; the server must allow other sites to read it (CORS)."</p>
            {move || problem.get().map(|p| view! { <p class="error" data-testid="url-error">{p}</p> })}
        </form>
    }
}
