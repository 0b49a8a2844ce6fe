//! Every analysis setting in one value, with a stable, versioned text form
//! (`v=1&channel=yellow&…`) that serves as share link, CSV header and parameter file.

use super::{channel::Channel, label::Connectivity};
use std::{fmt, str::FromStr};

/// The version written by [`Params::to_query`].
pub const PARAMS_VERSION: u32 = 1;

/// How the threshold level is chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ThresholdMethod {
    /// The level given by [`Params::level`].
    Manual,
    /// Otsu's method on the histogram of the (smoothed) channel, as ImageJ's "Otsu".
    #[default]
    Otsu,
}

impl ThresholdMethod {
    /// Every method, in menu order.
    pub const ALL: [ThresholdMethod; 2] = [ThresholdMethod::Manual, ThresholdMethod::Otsu];

    /// The stable name used in parameter text.
    pub fn name(self) -> &'static str {
        match self {
            ThresholdMethod::Manual => "manual",
            ThresholdMethod::Otsu => "otsu",
        }
    }

    /// ImageJ's name.
    pub fn label(self) -> &'static str {
        match self {
            ThresholdMethod::Manual => "Manual",
            ThresholdMethod::Otsu => "Otsu",
        }
    }
}

impl fmt::Display for ThresholdMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ThresholdMethod {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        ThresholdMethod::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s))
            .ok_or(())
    }
}

/// Every setting of the count pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// The intensity channel analysed.
    pub channel: Channel,
    /// Gaussian smoothing sigma in pixels before thresholding (0 = off).
    pub sigma: f32,
    /// How the level is chosen.
    pub method: ThresholdMethod,
    /// The manual level, in the image's own units; foreground is `value > level`.
    pub level: u16,
    /// Opening radius in pixels (0 = off): removes specks and thin bridges.
    pub open_radius: u32,
    /// Closing radius in pixels (0 = off): closes small gaps.
    pub close_radius: u32,
    /// Fill holes inside objects.
    pub fill_holes: bool,
    /// Pixel connectivity of objects.
    pub connectivity: Connectivity,
    /// Smallest object kept, in pixels (ImageJ's Analyze Particles "size" lower bound).
    pub min_area: u64,
    /// Largest object kept, in pixels; `None` = no limit ("Infinity").
    pub max_area: Option<u64>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            channel: Channel::Yellow,
            sigma: 1.0,
            method: ThresholdMethod::Otsu,
            level: 128,
            open_radius: 2,
            close_radius: 2,
            fill_holes: true,
            connectivity: Connectivity::Eight,
            min_area: 120,
            max_area: None,
        }
    }
}

/// Largest accepted smoothing sigma.
pub const MAX_SIGMA: f32 = 20.0;
/// Largest accepted morphology radius.
pub const MAX_RADIUS: u32 = 25;

/// Something in a parameter text that was not taken as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamsNotice {
    /// The key concerned.
    pub key: String,
    /// What was done about it, in words.
    pub message: String,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A value shortened and stripped of control characters, safe to quote in a message.
fn quote(v: &str) -> String {
    let clean: String = v.chars().filter(|c| !c.is_control()).take(40).collect();
    if v.chars().count() > 40 {
        format!("{clean}…")
    } else {
        clean
    }
}

impl Params {
    /// The stable text form, keys in a fixed order, e.g.
    /// `v=1&channel=yellow&sigma=1&method=otsu&level=128&open=2&close=2&fill=1&conn=8&min_area=120&max_area=inf`.
    pub fn to_query(&self) -> String {
        let max = self
            .max_area
            .map_or_else(|| "inf".to_string(), |m| m.to_string());
        format!(
            "v={PARAMS_VERSION}&channel={}&sigma={}&method={}&level={}&open={}&close={}&fill={}&conn={}&min_area={}&max_area={}",
            self.channel,
            self.sigma,
            self.method,
            self.level,
            self.open_radius,
            self.close_radius,
            u8::from(self.fill_holes),
            self.connectivity,
            self.min_area,
            max
        )
    }

    /// Reads the text form (a leading `?` or `#` is ignored, `&` or `;` or newlines separate
    /// pairs). Missing keys take their defaults silently; unknown keys and invalid values are
    /// reported as notices and the default is used, so any text gives usable parameters.
    ///
    /// ```
    /// use fluocount::core::Params;
    /// let p = Params::default();
    /// assert_eq!(Params::from_query(&p.to_query()), (p, vec![]));
    /// let (q, notices) = Params::from_query("sigma=<script>&open=3");
    /// assert_eq!((q.sigma, q.open_radius, notices.len()), (Params::default().sigma, 3, 1));
    /// ```
    pub fn from_query(text: &str) -> (Params, Vec<ParamsNotice>) {
        let mut p = Params::default();
        let mut notices = Vec::new();
        let text = text.trim().trim_start_matches(['?', '#']);
        for pair in text.split(['&', ';', '\n']) {
            let pair = pair.trim();
            if pair.is_empty() || pair.starts_with("//") {
                continue;
            }
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (key, value) = (percent_decode(key.trim()), percent_decode(value.trim()));
            let mut bad = |what: &str| {
                notices.push(ParamsNotice {
                    key: quote(&key),
                    message: format!(
                        "“{}” is not a valid value for {} ({what}); the default is used",
                        quote(&value),
                        quote(&key)
                    ),
                })
            };
            match key.as_str() {
                "v" => match value.parse::<u32>() {
                    Ok(v) if v <= PARAMS_VERSION => {}
                    Ok(_) => notices.push(ParamsNotice {
                        key: key.clone(),
                        message: format!(
                            "these parameters come from a newer version ({}); unknown settings are ignored",
                            quote(&value)
                        ),
                    }),
                    Err(_) => bad("a version number"),
                },
                "channel" => match value.parse() {
                    Ok(c) => p.channel = c,
                    Err(()) => bad("yellow, red, green, blue, luminance or max"),
                },
                "sigma" => match value.parse::<f32>() {
                    Ok(s) if (0.0..=MAX_SIGMA).contains(&s) => p.sigma = s,
                    _ => bad("a number from 0 to 20"),
                },
                "method" => match value.parse() {
                    Ok(m) => p.method = m,
                    Err(()) => bad("manual or otsu"),
                },
                "level" => match value.parse::<u16>() {
                    Ok(l) => p.level = l,
                    Err(_) => bad("a whole number from 0 to 65535"),
                },
                "open" | "close" => match value.parse::<u32>() {
                    Ok(r) if r <= MAX_RADIUS => {
                        if key == "open" {
                            p.open_radius = r
                        } else {
                            p.close_radius = r
                        }
                    }
                    _ => bad("a whole number from 0 to 25"),
                },
                "fill" => match value.as_str() {
                    "1" | "true" => p.fill_holes = true,
                    "0" | "false" => p.fill_holes = false,
                    _ => bad("0 or 1"),
                },
                "conn" => match value.parse() {
                    Ok(c) => p.connectivity = c,
                    Err(()) => bad("4 or 8"),
                },
                "min_area" => match value.parse::<u64>() {
                    Ok(a) if a <= 1_000_000_000 => p.min_area = a,
                    _ => bad("a whole number of pixels"),
                },
                "max_area" => match value.as_str() {
                    "inf" | "infinity" | "Infinity" | "" => p.max_area = None,
                    v => match v.parse::<u64>() {
                        Ok(a) if a >= 1 => p.max_area = Some(a),
                        _ => bad("a whole number of pixels or inf"),
                    },
                },
                _ => notices.push(ParamsNotice {
                    key: quote(&key),
                    message: format!("unknown setting “{}” ignored", quote(&key)),
                }),
            }
        }
        (p, notices)
    }
}

impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_query())
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_text_form_is_stable() {
        assert_eq!(
            Params::default().to_query(),
            "v=1&channel=yellow&sigma=1&method=otsu&level=128&open=2&close=2&fill=1&conn=8&min_area=120&max_area=inf"
        );
    }

    #[test]
    fn hostile_and_unknown_values_fall_back_to_defaults() {
        let (p, n) = Params::from_query(
            "?v=1&channel=%3Cscript%3E&sigma=NaN&level=70000&open=-1&fill=yes&conn=6&min_area=x&max_area=0&zoom=3",
        );
        assert_eq!(p, Params::default());
        assert_eq!(n.len(), 9, "{n:?}");
        assert!(
            n[0].message.contains("<script>"),
            "the notice quotes the value as text"
        );
        assert_eq!(n.last().map(|x| x.key.as_str()), Some("zoom"));
    }

    #[test]
    fn missing_keys_take_defaults_and_newer_versions_are_noticed() {
        let (p, n) = Params::from_query("open=4");
        assert_eq!(p.open_radius, 4);
        assert!(n.is_empty());
        let (_, n) = Params::from_query("v=9");
        assert_eq!(n.len(), 1);
    }

    #[test]
    fn a_parameter_file_with_lines_and_comments_reads_back() {
        let (p, n) =
            Params::from_query("// fluocount parameters\nv=1\nchannel=red\nmax_area=5000\n");
        assert!(n.is_empty(), "{n:?}");
        assert_eq!((p.channel, p.max_area), (Channel::Red, Some(5000)));
    }

    proptest! {
        #[test]
        fn round_trip(
            ch in 0usize..6, sigma in 0.0f32..20.0, otsu in any::<bool>(), level in any::<u16>(),
            open in 0u32..=25, close in 0u32..=25, fill in any::<bool>(), four in any::<bool>(),
            min_area in 0u64..100_000, max_area in proptest::option::of(1u64..1_000_000)
        ) {
            let p = Params {
                channel: Channel::ALL[ch],
                sigma,
                method: if otsu { ThresholdMethod::Otsu } else { ThresholdMethod::Manual },
                level,
                open_radius: open,
                close_radius: close,
                fill_holes: fill,
                connectivity: if four { Connectivity::Four } else { Connectivity::Eight },
                min_area,
                max_area,
            };
            prop_assert_eq!(Params::from_query(&p.to_query()), (p, vec![]));
        }

        #[test]
        fn any_text_gives_params_without_panicking(s in ".{0,200}") {
            let _ = Params::from_query(&s);
        }
    }
}
