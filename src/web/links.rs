//! What the page says and decides about the images a link opens: their names in the image list,
//! which preset a link's parameters are, and the plain-words reasons a remote image could not be
//! fetched. Pure, so the wording and the rules are tested natively.

use crate::{
    count::{params::Params, presets::Collection},
    util::text::quote,
    web::{demos::SynthSpec, share::Source},
};

/// Largest remote image read, in bytes (the same cap as a dropped file).
pub const MAX_REMOTE_BYTES: u64 = 512 * 1024 * 1024;

/// The collection whose preset equals `params`, if any.
///
/// ```
/// use fluocount::{web::links::preset_of, count::{presets::Collection, Params}};
/// assert_eq!(preset_of(&Collection::Red.preset()), Some(Collection::Red));
/// ```
pub fn preset_of(params: &Params) -> Option<Collection> {
    Collection::ALL.into_iter().find(|c| c.preset() == *params)
}

/// The `host[:port]` of an `http://` or `https://` address (lower case), or the whole address
/// (shortened) when it has none.
///
/// ```
/// use fluocount::web::links::host_of;
/// assert_eq!(host_of("https://Example.org:8443/a/b.png?x"), "example.org:8443");
/// ```
pub fn host_of(url: &str) -> String {
    let lower = url.to_ascii_lowercase();
    match lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    {
        Some(rest) => quote(rest.split(['/', '?', '#']).next().unwrap_or_default()),
        None => quote(url),
    }
}

/// The last path segment of an address (its file name), or `None` when the path is empty.
fn file_part(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    let (_, path) = path.split_once('/')?;
    path.rsplit('/').find(|s| !s.is_empty())
}

/// The item name of a synthetic image, e.g. `synthetic seed 7, 40 cells`.
pub fn synth_name(spec: &SynthSpec) -> String {
    format!("synthetic seed {}, {} cells", spec.seed, spec.cells)
}

/// The name the image list gives an image a link opened: `demo: yellow-lhl`,
/// `synthetic seed 7, 40 cells`, `cells.png from example.org`.
///
/// ```
/// use fluocount::web::{links::source_name, share::Source};
/// assert_eq!(source_name(&Source::Demo("red-dmh".into())), "demo: red-dmh");
/// assert_eq!(source_name(&Source::Remote("https://h.org/x/c.png?a".into())), "c.png from h.org");
/// ```
pub fn source_name(source: &Source) -> String {
    match source {
        Source::Demo(id) => format!("demo: {}", quote(id)),
        Source::Synth(spec) => synth_name(spec),
        Source::Remote(url) => match file_part(url) {
            Some(file) => format!("{} from {}", quote(file), host_of(url)),
            None => format!("image from {}", host_of(url)),
        },
    }
}

/// Why a remote image could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchFailure {
    /// The address is not one the page opens (see [`crate::web::remote::check_image_url`]).
    Refused(&'static str),
    /// `fetch` rejected: no CORS header, or the server could not be reached at all.
    CrossOrigin,
    /// The server answered with an HTTP error.
    Http {
        /// The status code.
        status: u16,
        /// The status text, possibly empty.
        text: String,
    },
    /// More than [`MAX_REMOTE_BYTES`].
    TooLarge {
        /// The size announced or read, in bytes.
        bytes: u64,
    },
    /// The body could not be read to its end.
    Read(String),
    /// The bytes are not an image the app can decode.
    NotImage(String),
}

impl FetchFailure {
    /// The message shown for the image at `url`, naming it and saying what to do. Only a
    /// refused address is shortened; the others passed `check_image_url` (printable ASCII).
    ///
    /// ```
    /// use fluocount::web::links::FetchFailure;
    /// let m = FetchFailure::CrossOrigin.message("https://example.org/a.png");
    /// assert!(m.contains("the server at example.org does not allow other sites to read this image"));
    /// ```
    pub fn message(&self, url: &str) -> String {
        let host = host_of(url);
        match self {
            FetchFailure::Refused(why) => {
                format!("the image address {} is refused: {why}", quote(url))
            }
            FetchFailure::CrossOrigin => format!(
                "{url} could not be read: the server at {host} does not allow other sites to read \
                 this image (no CORS header), or it cannot be reached; download it and drop the \
                 file instead"
            ),
            FetchFailure::Http { status, text } => {
                let text = quote(text.trim());
                let text = if text.is_empty() {
                    String::new()
                } else {
                    format!(" {text}")
                };
                format!(
                    "{url} could not be read: the server at {host} answered HTTP {status}{text}"
                )
            }
            FetchFailure::TooLarge { bytes } => format!(
                "{url} is too large: {:.0} MiB, the limit is 512 MiB",
                *bytes as f64 / 1024.0 / 1024.0
            ),
            FetchFailure::Read(why) => {
                format!("{url} could not be read to its end ({})", quote(why))
            }
            FetchFailure::NotImage(why) => format!("{url} is not an image the app can read: {why}"),
        }
    }
}

/// Checks a `Content-Length` header, when there is one: more than [`MAX_REMOTE_BYTES`] is
/// refused before reading; an unreadable value is left to the check of the bytes read.
pub fn check_length(header: Option<&str>) -> Result<(), FetchFailure> {
    match header.and_then(|h| h.trim().parse::<u64>().ok()) {
        Some(bytes) if bytes > MAX_REMOTE_BYTES => Err(FetchFailure::TooLarge { bytes }),
        _ => Ok(()),
    }
}

/// Checks the number of bytes read.
pub fn check_read(bytes: u64) -> Result<(), FetchFailure> {
    if bytes > MAX_REMOTE_BYTES {
        Err(FetchFailure::TooLarge { bytes })
    } else {
        Ok(())
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn presets_are_recognised_and_others_are_not() {
        for c in Collection::ALL {
            assert_eq!(preset_of(&c.preset()), Some(c));
        }
        let mut p = Collection::Yellow.preset();
        p.open_radius += 1;
        assert_eq!(preset_of(&p), None);
    }

    #[test]
    fn names_say_what_an_image_is() {
        let spec = SynthSpec {
            seed: 7,
            cells: 40,
            ..SynthSpec::default()
        };
        assert_eq!(
            source_name(&Source::Synth(spec)),
            "synthetic seed 7, 40 cells"
        );
        assert_eq!(
            source_name(&Source::Remote("http://127.0.0.1:9/".into())),
            "image from 127.0.0.1:9"
        );
        assert_eq!(
            source_name(&Source::Remote("https://a.org/dir/".into())),
            "dir from a.org"
        );
        let hostile = source_name(&Source::Demo("<script>\u{202e}x".into()));
        assert_eq!(hostile, "demo: <script>x", "text only, controls removed");
    }

    #[test]
    fn hosts_are_named_in_messages() {
        assert_eq!(host_of("http://127.0.0.1:4000/a.png"), "127.0.0.1:4000");
        assert_eq!(host_of("https://[::1]/a"), "[::1]");
        assert_eq!(host_of("nope"), "nope");
        let url = "http://127.0.0.1:4000/a.png";
        let m = FetchFailure::Http {
            status: 404,
            text: "Not Found".into(),
        }
        .message(url);
        assert_eq!(
            m,
            "http://127.0.0.1:4000/a.png could not be read: the server at 127.0.0.1:4000 answered HTTP 404 Not Found"
        );
        assert!(
            FetchFailure::CrossOrigin
                .message(url)
                .contains("no CORS header")
        );
        assert!(
            FetchFailure::NotImage("unsupported format".into())
                .message(url)
                .ends_with("is not an image the app can read: unsupported format")
        );
    }

    #[test]
    fn sizes_over_512_mib_are_refused() {
        assert_eq!(check_length(None), Ok(()));
        assert_eq!(check_length(Some("abc")), Ok(()));
        assert_eq!(check_length(Some("536870912")), Ok(()));
        assert_eq!(
            check_length(Some(" 536870913 ")),
            Err(FetchFailure::TooLarge { bytes: 536_870_913 })
        );
        assert_eq!(check_read(MAX_REMOTE_BYTES), Ok(()));
        assert!(check_read(MAX_REMOTE_BYTES + 1).is_err());
        let m = FetchFailure::TooLarge { bytes: 1 << 30 }.message("http://h/a.png");
        assert!(m.contains("1024 MiB, the limit is 512 MiB"), "{m}");
    }
}
