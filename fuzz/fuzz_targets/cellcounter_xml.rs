//! Any text as a Cell Counter marker file: it parses or is refused, never panics.
#![no_main]
use fluocount::count::cellcounter::parse_xml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = parse_xml(text);
});
