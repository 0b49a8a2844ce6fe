//! The scale bar: a bar of a round length in the calibrated unit with its label, drawn at the
//! lower right of the view (after ImageJ's Analyze › Tools › Scale Bar, whose default width is
//! about a fifth of the image, rounded).

use crate::imaging::calibration::Calibration;

/// A scale bar to draw: its length in the unit, on screen, and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleBar {
    /// Length in the calibration's unit (1, 2 or 5 times a power of ten).
    pub length: f64,
    /// Length in screen pixels.
    pub screen: f64,
    /// The label, `50 µm`.
    pub label: String,
}

/// The largest 1, 2 or 5 times a power of ten not above `target` (`None` unless it is finite
/// and above 0).
///
/// ```
/// use fluocount::view::scalebar::round_length;
/// assert_eq!(round_length(73.0), Some(50.0));
/// assert_eq!(round_length(0.031), Some(0.02));
/// ```
pub fn round_length(target: f64) -> Option<f64> {
    if !(target.is_finite() && target > 0.0) {
        return None;
    }
    let power = 10f64.powf(target.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * power)
        // The power of ten may round a hair above `target` (1e-3 * 1 > 0.001).
        .find(|&l| l <= target * (1.0 + 1e-12))
        .or(Some(power))
}

/// The scale bar of a view `view_width` screen pixels wide at `zoom` screen pixels an image
/// pixel: about a fifth of the view's width, rounded down to a round length; `None` when the
/// view is empty.
pub fn scale_bar(c: &Calibration, view_width: f64, zoom: f64) -> Option<ScaleBar> {
    if !(zoom > 0.0 && view_width > 0.0) {
        return None;
    }
    let length = round_length(0.2 * view_width / zoom * c.pixel_width)?;
    let screen = length / c.pixel_width * zoom;
    let label = format!("{} {}", trim_number(length), c.unit);
    Some(ScaleBar {
        length,
        screen,
        label,
    })
}

/// A round length without trailing zeros (`50`, `0.02`).
fn trim_number(v: f64) -> String {
    let s = format!("{v:.12}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imaging::calibration::Unit;

    #[test]
    fn round_lengths_and_bars() {
        assert_eq!(round_length(1.0), Some(1.0));
        assert_eq!(round_length(0.001), Some(0.001));
        assert_eq!(round_length(19.9), Some(10.0));
        assert_eq!(round_length(20.0), Some(20.0));
        assert_eq!(round_length(0.0), None);
        assert_eq!(round_length(f64::NAN), None);
        let c = Calibration::square(0.65, Unit::Um).expect("valid");
        // 800 screen px at 100 %: a fifth is 160 px = 104 µm, so 100 µm = 153.8 px.
        let b = scale_bar(&c, 800.0, 1.0).expect("a bar");
        assert_eq!((b.length, b.label.as_str()), (100.0, "100 µm"));
        assert!((b.screen - 100.0 / 0.65).abs() < 1e-9);
        // Zoomed in 4 times: 20 µm.
        assert_eq!(
            scale_bar(&c, 800.0, 4.0).map(|b| b.label),
            Some("20 µm".into())
        );
        assert_eq!(scale_bar(&c, 0.0, 1.0), None);
        let inch = Calibration::square(1.0 / 300.0, Unit::Inch).expect("valid");
        assert_eq!(
            scale_bar(&inch, 600.0, 1.0).map(|b| b.label),
            Some("0.2 inch".into())
        );
    }
}
