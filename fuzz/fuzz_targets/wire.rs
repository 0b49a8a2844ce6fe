//! Any bytes as a message between the page and its workers: decoding never panics (and never
//! allocates beyond the limits, which libFuzzer's -rss_limit_mb catches).
#![no_main]
use fluocount::protocol::messages::{Request, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Request::decode(data);
    let _ = Response::decode(data);
});
