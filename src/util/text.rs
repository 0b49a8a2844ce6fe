//! Small helpers of the text forms (share links, overlay and display text): percent encoding
//! after RFC 3986, the shortest float text that reads back exactly, and quoting untrusted values
//! in messages.

use std::fmt::{Display, LowerExp};

/// Why [`percent_decode`] refused a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PercentError {
    /// A `%` not followed by two hexadecimal digits.
    BrokenEscape,
    /// The decoded bytes are not UTF-8.
    NotUtf8,
}

impl PercentError {
    /// What went wrong, in words.
    pub fn describe(self) -> &'static str {
        match self {
            PercentError::BrokenEscape => "a % not followed by two hexadecimal digits",
            PercentError::NotUtf8 => "escapes that do not decode to text (not UTF-8)",
        }
    }
}

/// Percent-encodes every byte of `text` except RFC 3986's unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`).
///
/// ```
/// use fluocount::util::text::percent_encode;
/// assert_eq!(percent_encode("a b;c=é"), "a%20b%3Bc%3D%C3%A9");
/// ```
pub fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// Decodes `%XX` escapes (either case); `+` is kept as it is. Broken escapes and bytes that are
/// not UTF-8 are refused rather than replaced, so a value is read exactly or not at all.
///
/// ```
/// use fluocount::util::text::{percent_decode, PercentError};
/// assert_eq!(percent_decode("a%20b%3b"), Ok("a b;".to_string()));
/// assert_eq!(percent_decode("%ZZ"), Err(PercentError::BrokenEscape));
/// assert_eq!(percent_decode("%FF%FE"), Err(PercentError::NotUtf8));
/// ```
pub fn percent_decode(text: &str) -> Result<String, PercentError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let digit = |j: usize| {
                bytes
                    .get(j)
                    .and_then(|&b| char::from(b).to_digit(16))
                    .ok_or(PercentError::BrokenEscape)
            };
            let (hi, lo) = (digit(i + 1)?, digit(i + 2)?);
            // Two hexadecimal digits are below 256.
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PercentError::NotUtf8)
}

/// The shorter of the plain (`0.35`) and exponent (`1e-30`) forms of a float; both are the
/// shortest digits that read back to the same value.
///
/// ```
/// use fluocount::util::text::shortest;
/// assert_eq!((shortest(0.35f32), shortest(1.0f64), shortest(1e-30f64)), ("0.35".into(), "1".into(), "1e-30".into()));
/// ```
pub fn shortest<T: Display + LowerExp>(x: T) -> String {
    let (plain, exp) = (format!("{x}"), format!("{x:e}"));
    if exp.len() < plain.len() { exp } else { plain }
}

/// Longest part of an untrusted value quoted in a message, in characters.
pub const QUOTE_CHARS: usize = 40;

/// An untrusted value made safe to quote in a message: control and bidirectional-formatting
/// characters dropped, at most [`QUOTE_CHARS`] characters, `…` when cut.
pub fn quote(value: &str) -> String {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    let mut kept = value.chars().filter(|&c| !hidden(c));
    let mut out: String = kept.by_ref().take(QUOTE_CHARS).collect();
    if kept.next().is_some() {
        out.push('…');
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn broken_escapes_are_refused() {
        for bad in ["%", "%2", "a%G0", "%%41", "%2x"] {
            assert_eq!(
                percent_decode(bad),
                Err(PercentError::BrokenEscape),
                "{bad}"
            );
        }
        assert_eq!(percent_decode("%c3%a9+"), Ok("é+".into()));
    }

    #[test]
    fn quotes_are_short_and_clean() {
        assert_eq!(quote("a\u{0}b\u{202e}c"), "abc");
        let long = "x".repeat(100);
        assert_eq!(quote(&long).chars().count(), QUOTE_CHARS + 1);
        assert_eq!(quote(&"x".repeat(QUOTE_CHARS)), "x".repeat(QUOTE_CHARS));
    }

    #[test]
    fn shortest_floats_read_back() {
        for x in [0.0, -0.0, 1.0 / 64.0, 1e300, -1e-300, 123456.789, f64::MAX] {
            assert_eq!(shortest(x).parse::<f64>(), Ok(x));
        }
        assert_eq!(shortest(1e300), "1e300");
    }

    proptest! {
        #[test]
        fn encoding_round_trips(s in ".{0,60}") {
            let e = percent_encode(&s);
            prop_assert!(e.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
            prop_assert_eq!(percent_decode(&e), Ok(s));
        }

        #[test]
        fn floats_round_trip(x in any::<f64>().prop_filter("finite", |x| x.is_finite()), y in any::<f32>().prop_filter("finite", |x| x.is_finite())) {
            prop_assert_eq!(shortest(x).parse::<f64>(), Ok(x));
            prop_assert_eq!(shortest(y).parse::<f32>(), Ok(y));
        }

        #[test]
        fn decoding_never_panics(s in "(%|[0-9a-fA-F]|.){0,40}") {
            let _ = percent_decode(&s);
        }
    }
}
