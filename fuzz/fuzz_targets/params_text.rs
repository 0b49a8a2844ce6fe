//! Any text as a parameter file: it reads, and what it reads writes a text that reads back.
#![no_main]
use fluocount::count::Params;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (p, _) = Params::from_query(text);
    let (q, _) = Params::from_query(&p.to_query());
    assert_eq!(p, q);
});
