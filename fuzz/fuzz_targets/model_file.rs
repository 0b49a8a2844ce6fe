//! Any text as a model file: it reads or is refused, and a model that reads writes itself back.
#![no_main]
use fluocount::count::learn::Model;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(m) = Model::parse(text) {
        assert_eq!(Model::parse(&m.to_text()).ok(), Some(m));
    }
});
