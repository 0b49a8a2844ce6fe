//! Any bytes as a `.fcproject` file, and any text as its manifest alone (the work kept in the
//! browser): read whole or refused, never a panic; a project that reads writes itself back and
//! reads again the same.
#![no_main]
use fluocount::count::project::{manifest, read, read_manifest, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(p) = read(bytes) {
        let again = write(&p).expect("a project that reads writes");
        assert_eq!(read(&again).expect("and reads back"), p);
    }
    if let Ok(text) = std::str::from_utf8(bytes)
        && let Ok(p) = read_manifest(text)
    {
        let m = manifest(&p).expect("a manifest that reads writes");
        assert_eq!(read_manifest(&m).expect("and reads back"), p);
    }
});
