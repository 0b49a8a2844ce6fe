//! Any text as a share link's fragment: it reads without panicking, and its state reads back.
#![no_main]
use fluocount::web::share::ShareState;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (s, _) = ShareState::from_fragment(text);
    let (t, _) = ShareState::from_fragment(&s.to_fragment());
    assert_eq!(s.params, t.params);
});
