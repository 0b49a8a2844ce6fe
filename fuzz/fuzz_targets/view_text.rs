//! Any text as the overlay's, the display's and the regions' text forms: no panic.
#![no_main]
use fluocount::{
    count::roi,
    imaging::BitDepth,
    view::{display::DisplaySettings, overlay::Overlay},
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (o, _) = Overlay::from_text(text);
    assert_eq!(Overlay::from_text(&o.to_text()).0, o);
    let _ = DisplaySettings::from_text(text, BitDepth::Eight);
    let _ = DisplaySettings::from_text(text, BitDepth::Sixteen);
    let _ = roi::from_text(text);
});
