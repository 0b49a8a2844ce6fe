//! Cell Counter's XML marker files (Fiji's `ReadXML` / `WriteXML` format): writing the
//! corrected count as a marker file, a tolerant reader, and corrections that reproduce a file's
//! count on the current detection.

use super::{
    CorrectionState, Corrections, Marker, MarkerType, Tally, check_size, object_at, object_points,
};
use std::fmt::Write as _;

/// The content of a Cell Counter marker file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CellCounterFile {
    /// `<Image_Filename>`, if present.
    pub image_name: Option<String>,
    /// (type id, `<Name>` if present, marker pixels) per `<Marker_Type>`, in file order.
    pub types: Vec<FileType>,
}

/// One `<Marker_Type>` of a marker file: type id, `<Name>` if present, marker pixels.
pub type FileType = (u32, Option<String>, Vec<(u32, u32)>);

/// Escapes text for XML content.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Writes a Cell Counter marker file as Fiji's `WriteXML` does (CRLF, MarkerZ 1).
///
/// Type 1 holds `kept_points` (one pixel per kept detected object, e.g. from
/// [`object_points`] without the removed labels) plus the added type-1 markers (those not in
/// `tally.covered_markers`), so Fiji shows the corrected total as type 1. Other types hold
/// their markers. Names and the image name are escaped (Fiji itself does not escape).
pub fn to_xml(
    image_name: &str,
    kept_points: &[(u32, u32)],
    corrections: &Corrections,
    tally: &Tally,
) -> String {
    let mut o = String::new();
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<CellCounter_Marker_File>\r\n");
    o.push_str(" <Image_Properties>\r\n");
    let _ = write!(
        o,
        "     <Image_Filename>{}</Image_Filename>\r\n",
        escape(image_name)
    );
    o.push_str(" </Image_Properties>\r\n <Marker_Data>\r\n     <Current_Type>1</Current_Type>\r\n");
    let marker = |o: &mut String, (x, y): (u32, u32)| {
        let _ = write!(
            o,
            "         <Marker>\r\n             <MarkerX>{x}</MarkerX>\r\n             <MarkerY>{y}</MarkerY>\r\n             <MarkerZ>1</MarkerZ>\r\n         </Marker>\r\n"
        );
    };
    let mut types: Vec<&MarkerType> = corrections.types().iter().collect();
    if !types.iter().any(|t| t.id == 1) {
        // Type 1 is where the count goes, whatever the state holds.
        types.insert(0, &DEFAULT_TYPE1);
    }
    for t in types {
        o.push_str("     <Marker_Type>\r\n");
        let _ = write!(
            o,
            "         <Type>{}</Type>\r\n         <Name>{}</Name>\r\n",
            t.id,
            escape(&t.name)
        );
        if t.id == 1 {
            for &p in kept_points {
                marker(&mut o, p);
            }
        }
        for (i, m) in corrections.markers().iter().enumerate() {
            if m.type_id == t.id && !(t.id == 1 && tally.covered_markers.contains(&i)) {
                marker(&mut o, (m.x, m.y));
            }
        }
        o.push_str("     </Marker_Type>\r\n");
    }
    o.push_str(" </Marker_Data>\r\n</CellCounter_Marker_File>\r\n");
    o
}

static DEFAULT_TYPE1: MarkerType = MarkerType {
    id: 1,
    name: String::new(),
};

/// [`to_xml`] on an analysis: kept points from [`object_points`], the tally computed here.
///
/// # Panics
/// If `labels.len() != width * height`.
pub fn export_xml(
    image_name: &str,
    labels: &[u32],
    width: u32,
    height: u32,
    count: usize,
    corrections: &Corrections,
) -> String {
    let tally = corrections.tally(labels, width, height, count);
    let kept: Vec<(u32, u32)> = object_points(labels, width, height, count)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| {
            tally
                .removed_labels
                .binary_search(&(*i as u32 + 1))
                .is_err()
        })
        .filter_map(|(_, p)| p)
        .collect();
    to_xml(image_name, &kept, corrections, &tally)
}

/// One token of the tolerant XML reader.
#[derive(Debug, PartialEq)]
enum Token<'a> {
    Open(&'a str),
    Close(&'a str),
    Text(String),
}

/// Decodes the five predefined entities and numeric character references; anything else
/// is kept as written.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // An entity is at most 12 bytes: only they are searched, so unescaping is linear in the
        // text's length however many `&` it holds.
        let end = rest.as_bytes()[..rest.len().min(13)]
            .iter()
            .position(|&b| b == b';');
        let decoded = end.and_then(|e| {
            let ent = &rest[1..e];
            let c = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let n = if let Some(h) =
                        ent.strip_prefix("#x").or_else(|| ent.strip_prefix("#X"))
                    {
                        u32::from_str_radix(h, 16).ok()
                    } else {
                        ent.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    n.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Splits XML into element opens, closes and text, skipping the prolog, comments,
/// processing instructions, doctype and attributes; CDATA becomes text.
fn tokenize(text: &str) -> Result<Vec<Token<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            out.push(Token::Text(unescape(rest)));
            break;
        };
        if lt > 0 {
            out.push(Token::Text(unescape(&rest[..lt])));
        }
        rest = &rest[lt..];
        let skip_to = |rest: &str, end: &str, what: &str| -> Result<usize, String> {
            rest.find(end)
                .map(|i| i + end.len())
                .ok_or_else(|| format!("unterminated {what}"))
        };
        if rest.starts_with("<!--") {
            let n = 4 + skip_to(&rest[4..], "-->", "comment")?;
            rest = &rest[n..];
        } else if let Some(body) = rest.strip_prefix("<![CDATA[") {
            let n = body.find("]]>").ok_or("unterminated CDATA section")?;
            out.push(Token::Text(body[..n].to_string()));
            rest = &body[n + 3..];
        } else if rest.starts_with("<?") {
            let n = skip_to(rest, "?>", "processing instruction")?;
            rest = &rest[n..];
        } else if rest.starts_with("<!") {
            let n = skip_to(rest, ">", "declaration")?;
            rest = &rest[n..];
        } else {
            // An element tag: find its '>' outside quoted attribute values.
            let bytes = rest.as_bytes();
            let mut quote = None;
            let mut end = None;
            for (i, &b) in bytes.iter().enumerate().skip(1) {
                match (quote, b) {
                    (None, b'"' | b'\'') => quote = Some(b),
                    (Some(q), _) if q == b => quote = None,
                    (None, b'>') => {
                        end = Some(i);
                        break;
                    }
                    (None, b'<') => return Err("'<' inside a tag".into()),
                    _ => {}
                }
            }
            let end = end.ok_or("unterminated tag")?;
            let inner = &rest[1..end];
            rest = &rest[end + 1..];
            let (closing, inner) = match inner.strip_prefix('/') {
                Some(i) => (true, i),
                None => (false, inner),
            };
            let (self_closing, inner) = match inner.strip_suffix('/') {
                Some(i) => (true, i),
                None => (false, inner),
            };
            let name = inner
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("");
            if name.is_empty() {
                return Err("a tag without a name".into());
            }
            // Namespace prefixes are irrelevant here.
            let name = name.rsplit(':').next().unwrap_or(name);
            if closing {
                out.push(Token::Close(name));
            } else {
                out.push(Token::Open(name));
                if self_closing {
                    out.push(Token::Close(name));
                }
            }
        }
    }
    Ok(out)
}

/// A marker coordinate: a non-negative integer (a decimal is rounded down, as some writers
/// emit them).
fn coordinate(text: &str, what: &str) -> Result<u32, String> {
    let t = text.trim();
    if let Ok(v) = t.parse::<i64>() {
        return u32::try_from(v).map_err(|_| format!("{what} out of range: {t}"));
    }
    match t.parse::<f64>() {
        Ok(v) if (0.0..4_294_967_296.0).contains(&v) => Ok(v as u32),
        _ => Err(format!("{what} is not a pixel coordinate: {t:?}")),
    }
}

/// A `<Marker_Type>` being read: its type id and name so far, its markers.
type PartialType = (Option<u32>, Option<String>, Vec<(u32, u32)>);

/// Reads a Cell Counter marker file (Fiji's `ReadXML` format), tolerating whitespace, CRLF,
/// comments, attributes, entities, a missing `<Name>` (older files) and `<MarkerZ>`.
///
/// A file with no markers or no `<Marker_Type>` at all is valid. Errors name the problem:
/// not XML, not a marker file, unbalanced tags, a marker or type without its numbers.
pub fn parse_xml(text: &str) -> Result<CellCounterFile, String> {
    let tokens = tokenize(text)?;
    let mut stack: Vec<&str> = Vec::new();
    let mut file = CellCounterFile::default();
    let mut seen_root = false;
    let mut buf = String::new();
    // The Marker_Type being read: id, name, points; and the marker's x, y.
    let mut cur: Option<PartialType> = None;
    let mut mk: Option<(Option<u32>, Option<u32>)> = None;
    for tok in tokens {
        match tok {
            Token::Text(t) => {
                if stack.is_empty() {
                    if !t.trim().is_empty() {
                        return Err("text outside the root element".into());
                    }
                } else {
                    buf.push_str(&t);
                }
            }
            Token::Open(name) => {
                if stack.is_empty() {
                    if seen_root {
                        return Err("more than one root element".into());
                    }
                    if name != "CellCounter_Marker_File" {
                        return Err(format!(
                            "not a Cell Counter marker file (root element <{name}>)"
                        ));
                    }
                    seen_root = true;
                }
                match name {
                    "Marker_Type" if cur.is_none() => cur = Some((None, None, Vec::new())),
                    "Marker" if cur.is_some() && mk.is_none() => mk = Some((None, None)),
                    _ => {}
                }
                buf.clear();
                stack.push(name);
            }
            Token::Close(name) => {
                match stack.pop() {
                    Some(open) if open == name => {}
                    Some(open) => {
                        return Err(format!("</{name}> closes <{open}>"));
                    }
                    None => return Err(format!("</{name}> without an opening tag")),
                }
                let value = std::mem::take(&mut buf);
                match name {
                    "Image_Filename" => file.image_name = Some(value.trim().to_string()),
                    "Type" if mk.is_none() => {
                        if let Some(c) = cur.as_mut() {
                            let id = coordinate(&value, "Type")?;
                            if id == 0 {
                                return Err("marker type 0 (types are 1-based)".into());
                            }
                            c.0 = Some(id);
                        }
                    }
                    "Name" if mk.is_none() => {
                        if let Some(c) = cur.as_mut() {
                            c.1 = Some(value.trim().to_string());
                        }
                    }
                    "MarkerX" => {
                        if let Some(m) = mk.as_mut() {
                            m.0 = Some(coordinate(&value, "MarkerX")?);
                        }
                    }
                    "MarkerY" => {
                        if let Some(m) = mk.as_mut() {
                            m.1 = Some(coordinate(&value, "MarkerY")?);
                        }
                    }
                    "Marker" => {
                        if let (Some(m), Some(c)) = (mk.take(), cur.as_mut()) {
                            match m {
                                (Some(x), Some(y)) => c.2.push((x, y)),
                                _ => {
                                    return Err("a <Marker> without <MarkerX> and <MarkerY>".into());
                                }
                            }
                        }
                    }
                    "Marker_Type" => {
                        if let Some((id, n, pts)) = cur.take() {
                            let id = id.ok_or("a <Marker_Type> without <Type>")?;
                            file.types.push((id, n, pts));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    if !seen_root {
        return Err("empty or not XML: no root element".into());
    }
    if let Some(open) = stack.last() {
        return Err(format!("truncated file: <{open}> is not closed"));
    }
    Ok(file)
}

/// Corrections that reproduce a marker file's type-1 count on the current detection.
///
/// Each detected object with exactly one type-1 marker is kept as detected; one with none is
/// removed (its removal point is the object's first pixel in raster order); one with several
/// is removed and all its markers become added type-1 markers, so each counts once. Type-1
/// markers on background or outside the image become added markers. Thus the corrected total
/// equals the file's number of type-1 markers. Other types become markers of their type,
/// with their names (file names replace the defaults; a missing name keeps the default or
/// becomes "Type n", as in Fiji).
///
/// # Panics
/// If `labels.len() != width * height`.
pub fn import(file: &CellCounterFile, labels: &[u32], width: u32, height: u32) -> Corrections {
    check_size(labels, width, height);
    let count = labels.iter().copied().max().unwrap_or(0) as usize;
    let mut state = CorrectionState::default();
    for (id, name, _) in &file.types {
        match state.types.iter_mut().find(|t| t.id == *id) {
            Some(t) => {
                if let Some(n) = name {
                    t.name = n.clone();
                }
            }
            None => state.types.push(MarkerType {
                id: *id,
                name: name.clone().unwrap_or_else(|| format!("Type {id}")),
            }),
        }
    }
    state.types.sort_by_key(|t| t.id);
    let type1: Vec<(u32, u32)> = file
        .types
        .iter()
        .filter(|t| t.0 == 1)
        .flat_map(|t| t.2.iter().copied())
        .collect();
    let mut hits = vec![0u32; count + 1];
    for &(x, y) in &type1 {
        if let Some(l) = object_at(labels, width, height, count, x, y) {
            hits[l as usize] += 1;
        }
    }
    for &(x, y) in &type1 {
        let on = object_at(labels, width, height, count, x, y);
        if on.is_none_or(|l| hits[l as usize] > 1) {
            state.markers.push(Marker { x, y, type_id: 1 });
        }
    }
    // Removal points: the first pixel of each object with no or several markers.
    let mut placed = vec![false; count + 1];
    for (i, &l) in labels.iter().enumerate() {
        let l = l as usize;
        if l != 0 && !placed[l] && hits[l] != 1 {
            placed[l] = true;
            state
                .removals
                .push(((i % width as usize) as u32, (i / width as usize) as u32));
        }
    }
    for (id, _, pts) in file.types.iter().filter(|t| t.0 != 1) {
        state
            .markers
            .extend(pts.iter().map(|&(x, y)| Marker { x, y, type_id: *id }));
    }
    Corrections::from_state(state)
}

#[cfg(test)]
mod tests {
    use super::unescape;

    /// The plain rule, written the slow way: an `&` starts an entity when a `;` follows within
    /// 12 bytes and the name between is known.
    fn reference(s: &str) -> String {
        let mut out = String::new();
        let mut i = 0;
        while i < s.len() {
            let rest = &s[i..];
            if rest.starts_with('&') {
                let window = &rest.as_bytes()[..rest.len().min(13)];
                if let Some(e) = window.iter().position(|&b| b == b';') {
                    let c = match &rest[1..e] {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        ent => ent
                            .strip_prefix("#x")
                            .or_else(|| ent.strip_prefix("#X"))
                            .map(|h| u32::from_str_radix(h, 16).ok())
                            .unwrap_or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                            .and_then(char::from_u32),
                    };
                    if let Some(c) = c {
                        out.push(c);
                        i += e + 1;
                        continue;
                    }
                }
            }
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
        out
    }

    #[test]
    fn entities_decode_and_anything_else_is_kept() {
        for s in [
            "a&amp;b",
            "&lt;&gt;&quot;&apos;",
            "&#65;&#x42;&#X43;",
            "&unknown; & ; &amp",
            "&#xFFFFFFFF;",
            "é&amp;é",
            "&&amp;;",
            "&aaaaaaaaaaaaaaa;",
        ] {
            assert_eq!(unescape(s), reference(s), "{s}");
        }
        assert_eq!(unescape("a&amp;b&#65;"), "a&bA");
    }

    #[test]
    fn a_megabyte_of_ampersands_without_semicolons_unescapes_in_one_pass() {
        // Before, each `&` searched to the end for a `;`: half a million searches of up to a
        // megabyte. Now each looks at 13 bytes.
        let s = "&a".repeat(500_000);
        assert_eq!(unescape(&s), s);
        let t = format!("{}&amp;", "&x".repeat(500_000));
        assert!(unescape(&t).ends_with("&x&"));
    }
}
