//! The viewer's geometry: which part of the image is shown, at what zoom, and the mapping between
//! screen and image coordinates. Pure, so the zoom and pan rules are tested natively.
//!
//! Image coordinates follow ImageJ: pixel `(x, y)` covers `[x, x + 1) × [y, y + 1)`, so its centre
//! is at `(x + 0.5, y + 0.5)`. Screen coordinates are CSS pixels from the viewport's top-left.

/// Smallest zoom (screen pixels per image pixel).
pub const MIN_ZOOM: f64 = 1.0 / 64.0;
/// Largest zoom: one image pixel covers 64x64 screen pixels.
pub const MAX_ZOOM: f64 = 64.0;
/// The factor of one zoom step (a key press or button), as ImageJ's zoom levels roughly double
/// every two steps.
pub const ZOOM_STEP: f64 = std::f64::consts::SQRT_2;

/// What the viewer shows: the zoom and the image point at the viewport's centre.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// Screen pixels per image pixel.
    pub zoom: f64,
    /// Image x at the viewport's centre.
    pub cx: f64,
    /// Image y at the viewport's centre.
    pub cy: f64,
}

impl Default for View {
    fn default() -> Self {
        View {
            zoom: 1.0,
            cx: 0.0,
            cy: 0.0,
        }
    }
}

impl View {
    /// The whole `width x height` image centred in a `vw x vh` viewport, as large as fits
    /// (ImageJ's "View 100%" is [`View::actual`]).
    pub fn fit(width: u32, height: u32, vw: f64, vh: f64) -> View {
        let (w, h) = (f64::from(width.max(1)), f64::from(height.max(1)));
        let zoom = if vw > 0.0 && vh > 0.0 {
            (vw / w).min(vh / h)
        } else {
            1.0
        };
        View {
            zoom: zoom.clamp(MIN_ZOOM, MAX_ZOOM),
            cx: w / 2.0,
            cy: h / 2.0,
        }
    }

    /// One image pixel per screen pixel, keeping the centre.
    pub fn actual(self) -> View {
        View { zoom: 1.0, ..self }
    }

    /// The image point under screen point `(sx, sy)` of a `vw x vh` viewport.
    pub fn to_image(self, sx: f64, sy: f64, vw: f64, vh: f64) -> (f64, f64) {
        (
            self.cx + (sx - vw / 2.0) / self.zoom,
            self.cy + (sy - vh / 2.0) / self.zoom,
        )
    }

    /// The screen point of image point `(x, y)`.
    pub fn to_screen(self, x: f64, y: f64, vw: f64, vh: f64) -> (f64, f64) {
        (
            (x - self.cx) * self.zoom + vw / 2.0,
            (y - self.cy) * self.zoom + vh / 2.0,
        )
    }

    /// The zoom multiplied by `factor` (clamped), keeping the image point under screen point
    /// `(sx, sy)` where it is: zooming "around the pointer".
    pub fn zoom_at(self, factor: f64, sx: f64, sy: f64, vw: f64, vh: f64) -> View {
        if !factor.is_finite() || factor <= 0.0 {
            return self;
        }
        let zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        let (ix, iy) = self.to_image(sx, sy, vw, vh);
        View {
            zoom,
            cx: ix - (sx - vw / 2.0) / zoom,
            cy: iy - (sy - vh / 2.0) / zoom,
        }
    }

    /// The view moved by a drag of `(dx, dy)` screen pixels (the image follows the pointer).
    pub fn pan(self, dx: f64, dy: f64) -> View {
        View {
            cx: self.cx - dx / self.zoom,
            cy: self.cy - dy / self.zoom,
            ..self
        }
    }

    /// The view centred on image point `(x, y)`, zoomed to at least `min_zoom`.
    pub fn centred_on(self, x: f64, y: f64, min_zoom: f64) -> View {
        View {
            zoom: self.zoom.max(min_zoom).clamp(MIN_ZOOM, MAX_ZOOM),
            cx: x,
            cy: y,
        }
    }

    /// The view with its centre kept within the image, so the image cannot be lost off screen.
    pub fn clamped(self, width: u32, height: u32) -> View {
        let ok = |v: f64, hi: f64| {
            if v.is_finite() {
                v.clamp(0.0, hi)
            } else {
                hi / 2.0
            }
        };
        View {
            zoom: if self.zoom.is_finite() {
                self.zoom.clamp(MIN_ZOOM, MAX_ZOOM)
            } else {
                1.0
            },
            cx: ok(self.cx, f64::from(width)),
            cy: ok(self.cy, f64::from(height)),
        }
    }

    /// The CSS transform that draws an image-sized element (origin top-left) in this view.
    pub fn css_transform(self, vw: f64, vh: f64) -> String {
        let (tx, ty) = self.to_screen(0.0, 0.0, vw, vh);
        format!("translate({tx:.3}px, {ty:.3}px) scale({})", self.zoom)
    }

    /// The pixel `(x, y)` under a screen point, if it is inside a `width x height` image.
    pub fn pixel_at(
        self,
        sx: f64,
        sy: f64,
        vw: f64,
        vh: f64,
        width: u32,
        height: u32,
    ) -> Option<(u32, u32)> {
        let (x, y) = self.to_image(sx, sy, vw, vh);
        (x >= 0.0 && y >= 0.0 && x < f64::from(width) && y < f64::from(height))
            .then(|| (x.floor() as u32, y.floor() as u32))
    }
}

/// Zoom as a percentage, as ImageJ shows it in the title bar.
pub fn zoom_percent(view: View) -> String {
    let p = view.zoom * 100.0;
    if p >= 10.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// The raw values under the pointer as ImageJ's status bar shows them.
pub fn describe_values(values: &[u16]) -> String {
    match values {
        [v] => format!("value={v}"),
        [v, a] => format!("value={v}, alpha={a}"),
        [r, g, b] => format!("RGB({r},{g},{b})"),
        [r, g, b, a] => format!("RGBA({r},{g},{b},{a})"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_and_values_read_as_in_imagej() {
        let at = |zoom| View {
            zoom,
            ..View::default()
        };
        assert_eq!(zoom_percent(at(1.0)), "100%");
        assert_eq!(zoom_percent(at(0.125)), "12%");
        assert_eq!(zoom_percent(at(1.0 / 64.0)), "1.6%");
        assert_eq!(describe_values(&[7]), "value=7");
        assert_eq!(describe_values(&[7, 255]), "value=7, alpha=255");
        assert_eq!(describe_values(&[1, 2, 3]), "RGB(1,2,3)");
        assert_eq!(describe_values(&[1, 2, 3, 4]), "RGBA(1,2,3,4)");
        assert_eq!(describe_values(&[]), "");
    }

    #[test]
    fn fit_centres_the_whole_image() {
        let v = View::fit(1600, 1200, 800.0, 800.0);
        assert_eq!(
            v,
            View {
                zoom: 0.5,
                cx: 800.0,
                cy: 600.0
            }
        );
        assert_eq!(v.to_screen(0.0, 0.0, 800.0, 800.0), (0.0, 100.0));
        assert_eq!(v.to_screen(1600.0, 1200.0, 800.0, 800.0), (800.0, 700.0));
        assert_eq!(View::fit(10, 10, 0.0, 0.0).zoom, 1.0);
    }

    #[test]
    fn zoom_keeps_the_point_under_the_pointer() {
        let v = View {
            zoom: 0.5,
            cx: 800.0,
            cy: 600.0,
        };
        let before = v.to_image(123.0, 456.0, 800.0, 800.0);
        let z = v.zoom_at(3.0, 123.0, 456.0, 800.0, 800.0);
        assert_eq!(z.zoom, 1.5);
        let after = z.to_image(123.0, 456.0, 800.0, 800.0);
        assert!((before.0 - after.0).abs() < 1e-9 && (before.1 - after.1).abs() < 1e-9);
        assert_eq!(v.zoom_at(f64::NAN, 0.0, 0.0, 1.0, 1.0), v);
        assert_eq!(v.zoom_at(1e9, 0.0, 0.0, 1.0, 1.0).zoom, MAX_ZOOM);
    }

    #[test]
    fn pan_follows_the_pointer_and_pixels_map_back() {
        let v = View {
            zoom: 4.0,
            cx: 10.0,
            cy: 10.0,
        };
        let p = v.pan(8.0, -4.0);
        assert_eq!((p.cx, p.cy), (8.0, 11.0));
        // Screen centre is image (10, 10): pixel (10, 10); 2 screen px left is still x = 9.5.
        assert_eq!(v.pixel_at(50.0, 50.0, 100.0, 100.0, 20, 20), Some((10, 10)));
        assert_eq!(v.pixel_at(48.0, 50.0, 100.0, 100.0, 20, 20), Some((9, 10)));
        assert_eq!(
            v.pixel_at(0.0, 0.0, 100.0, 100.0, 20, 20),
            None,
            "outside the image"
        );
        assert_eq!(
            v.css_transform(100.0, 100.0),
            "translate(10.000px, 10.000px) scale(4)"
        );
    }

    #[test]
    fn clamped_keeps_the_centre_on_the_image_and_survives_garbage() {
        let v = View {
            zoom: f64::INFINITY,
            cx: -5.0,
            cy: f64::NAN,
        }
        .clamped(100, 50);
        assert_eq!(
            v,
            View {
                zoom: 1.0,
                cx: 0.0,
                cy: 25.0
            }
        );
        let c = View::default().centred_on(30.0, 40.0, 2.0);
        assert_eq!(
            c,
            View {
                zoom: 2.0,
                cx: 30.0,
                cy: 40.0
            }
        );
    }
}
