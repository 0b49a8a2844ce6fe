//! The result files, shared by the command line and the browser: the comment block and the CSV
//! fields of every table (whose columns are [`crate::count::table`]'s), the 16-bit label image,
//! the binary mask, and safe file names for them.

use super::Analysis;
use std::fmt::Write as _;

/// The comment block opening every table: `# fluocount VERSION` and the parameters, the first
/// line after `# parameters: `, every further line after `# `.
pub fn header(version: &str, params_text: &str) -> String {
    let mut out = format!("# fluocount {}\n", one_line(version));
    let mut lines = params_text.lines();
    let _ = writeln!(out, "# parameters: {}", lines.next().unwrap_or(""));
    for line in lines {
        let _ = writeln!(out, "# {line}");
    }
    out
}

/// `s` without line breaks, so it cannot leave its comment line.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// `s` as one CSV text field (RFC 4180): quoted if it holds a comma, quote or line break; a text
/// that a spreadsheet would take for a formula (beginning with `=`, `+`, `-`, `@`, a tab or a
/// carriage return, as a file named `=1+2.png`) gets a leading `'`, as OWASP advises, so that it
/// is shown, never run.
///
/// ```
/// use fluocount::count::export::csv_field;
/// assert_eq!(csv_field("a,b.png"), "\"a,b.png\"");
/// assert_eq!(csv_field("=HYPERLINK(\"x\").png"), "\"'=HYPERLINK(\"\"x\"\").png\"");
/// assert_eq!(csv_field("-2.png"), "'-2.png");
/// ```
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Encodes a grey image buffer as PNG in memory.
fn encode_png<P>(buf: &image::ImageBuffer<P, Vec<P::Subpixel>>) -> Result<Vec<u8>, String>
where
    P: image::Pixel + image::PixelWithColorType,
    [P::Subpixel]: image::EncodableLayout,
{
    let mut png = std::io::Cursor::new(Vec::new());
    buf.write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(png.into_inner())
}

/// The label image as a 16-bit greyscale PNG: 0 background, 1..=count the objects (as ImageJ's
/// "Count Masks"); an error if there are more than 65535 objects.
pub fn label_png(a: &Analysis) -> Result<Vec<u8>, String> {
    if a.count() > usize::from(u16::MAX) {
        return Err(format!(
            "{} objects do not fit a 16-bit label image",
            a.count()
        ));
    }
    let data: Vec<u16> = a
        .labels
        .iter()
        .map(|&l| u16::try_from(l).unwrap_or(u16::MAX))
        .collect();
    let buf = image::ImageBuffer::<image::Luma<u16>, _>::from_raw(a.width, a.height, data)
        .ok_or("label image size mismatch")?;
    encode_png(&buf)
}

/// The objects as an 8-bit PNG, 255 on objects and 0 elsewhere, like ImageJ's binary masks.
pub fn mask_png(a: &Analysis) -> Result<Vec<u8>, String> {
    let data: Vec<u8> = a
        .labels
        .iter()
        .map(|&l| if l == 0 { 0 } else { 255 })
        .collect();
    let buf = image::ImageBuffer::<image::Luma<u8>, _>::from_raw(a.width, a.height, data)
        .ok_or("label image size mismatch")?;
    encode_png(&buf)
}

/// Longest stem kept, in characters.
const MAX_STEM: usize = 100;

/// A safe file-name stem from an image file name: directories and the last extension removed,
/// every character other than letters, digits, `-`, `_` and `.` replaced by `_`, no leading or
/// trailing dot, at most 100 characters; `"image"` if nothing is left.
pub fn file_stem(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = match base.rfind('.') {
        Some(i) if i > 0 => &base[..i],
        _ => base,
    };
    let safe: String = sanitize(stem).chars().take(MAX_STEM).collect();
    let safe = safe.trim_matches('.');
    if safe.is_empty() {
        return "image".into();
    }
    // Windows refuses these names whatever the extension.
    let upper = safe.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (upper.len() == 4
            && (upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.as_bytes()[3].is_ascii_digit());
    if reserved {
        format!("_{safe}")
    } else {
        safe.to_string()
    }
}

/// Letters, digits, `-`, `_` and `.` kept; anything else becomes `_`.
fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The export file name for `image_name`: its [`file_stem`], `suffix` and `.ext`, e.g.
/// `export_name("dir/cells_01.tif", "_objects", "csv")` is `cells_01_objects.csv`.
pub fn export_name(image_name: &str, suffix: &str, ext: &str) -> String {
    format!(
        "{}{}.{}",
        file_stem(image_name),
        sanitize(suffix),
        sanitize(ext)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::testing::tiny;

    #[test]
    fn header_prefixes_every_parameter_line() {
        assert_eq!(
            header("0.1.0", "v=2&channel=yellow"),
            "# fluocount 0.1.0\n# parameters: v=2&channel=yellow\n"
        );
        assert_eq!(
            header("1\n2", "a=1\nb=2\r\nc=3"),
            "# fluocount 1 2\n# parameters: a=1\n# b=2\n# c=3\n"
        );
        assert_eq!(header("x", ""), "# fluocount x\n# parameters: \n");
    }

    #[test]
    fn label_and_mask_png_round_trip() {
        let a = tiny();
        let labels = image::load_from_memory(&label_png(&a).unwrap()).unwrap();
        let labels = labels.as_luma16().expect("16-bit grey");
        assert_eq!(
            labels.as_raw(),
            &[
                1, 1, 0, 0, 0, 2, //
                1, 1, 0, 0, 2, 2, //
                0, 0, 0, 0, 0, 0, //
                0, 0, 0, 0, 0, 0,
            ]
        );
        let mask = image::load_from_memory(&mask_png(&a).unwrap()).unwrap();
        let mask = mask.as_luma8().expect("8-bit grey");
        assert_eq!(mask.dimensions(), (6, 4));
        assert_eq!(
            &mask.as_raw()[..12],
            &[255, 255, 0, 0, 0, 255, 255, 255, 0, 0, 255, 255]
        );
        assert!(mask.as_raw()[12..].iter().all(|&v| v == 0));
    }

    #[test]
    fn too_many_objects_for_16_bits() {
        let mut a = tiny();
        let one = a.objects[0].clone();
        a.objects = vec![one; 65536];
        assert!(label_png(&a).unwrap_err().contains("65536 objects"));
        a.labels.pop();
        assert!(mask_png(&a).is_err());
    }

    #[test]
    fn hostile_names_give_safe_stems() {
        assert_eq!(file_stem("../a b.tif"), "a_b");
        assert_eq!(file_stem(""), "image");
        assert_eq!(file_stem("x.tar.gz"), "x.tar");
        assert_eq!(file_stem("C:\\data\\cells_01.TIF"), "cells_01");
        assert_eq!(file_stem("dir/"), "image");
        assert_eq!(file_stem(".."), "image");
        assert_eq!(file_stem(".hidden"), "hidden");
        assert_eq!(file_stem("Zellkerne ü 東京.png"), "Zellkerne_ü_東京");
        assert_eq!(file_stem("a\u{0}b:c*?\"<>|.png"), "a_b_c______");
        assert_eq!(file_stem("con.tif"), "_con");
        assert_eq!(file_stem("COM1"), "_COM1");
        assert_eq!(file_stem("computer.tif"), "computer");
        assert_eq!(file_stem(&"é".repeat(300)).chars().count(), 100);
        assert_eq!(
            export_name("dir/cells_01.tif", "_objects", "csv"),
            "cells_01_objects.csv"
        );
        assert_eq!(export_name("../a b.tif", "/x", "p/g"), "a_b_x.p_g");
    }
}
