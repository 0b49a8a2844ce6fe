//! Any bytes as an ImageJ `.roi` file or RoiSet `.zip`: they read or are refused, never panic;
//! regions that read write themselves back and read again alike.
#![no_main]
use fluocount::count::roi_file::{read_rois, write_roi_set};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(rois) = read_rois(bytes, "fuzz.roi") {
        for r in &rois {
            let _ = r.area_px(64, 64);
        }
        if let Ok(set) = write_roi_set(&rois) {
            let again = read_rois(&set, "again.zip").expect("a written set reads back");
            assert_eq!(again.len(), rois.len());
        }
    }
});
