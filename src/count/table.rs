//! One model of the result tables: every column of the per-object table and of the per-image
//! tables is defined once here, with its CSV header, its short heading in the app, its unit, its
//! decimals, its definition and its value. The command line's files and lines, the app's objects
//! table, its Summarize figures and summary CSV, and the batch CSV
//! ([`crate::protocol::batch::BATCH`]) are all written from these lists, so a new column is one
//! entry of one list (and its measurement).

use crate::{
    count::{
        export::{self, csv_field},
        pipeline::{Analysis, Body},
        summary::{Summarize, Summary},
    },
    imaging::{label::ObjectStats, shape::Shape},
};
use std::fmt::Write as _;

/// One value of a per-image table.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A number, written with its column's decimals.
    Number(f64),
    /// A text, quoted in CSV when it holds a comma, a quote or a line break.
    Text(String),
    /// An empty field, e.g. the score of an image without a mask.
    Empty,
}

/// One column of a table whose rows are `R` and whose values are `V`: numbers (`f64`) for the
/// objects, [`Value`]s for the per-image tables.
pub struct Column<R, V = Value> {
    /// The CSV header (ImageJ's name where ImageJ has the measure).
    pub header: &'static str,
    /// The heading in the app's tables (the header unless shorter).
    pub heading: &'static str,
    /// The unit of its numbers (`px`, `px²`, …), empty for a ratio, a count or a text.
    pub unit: &'static str,
    /// Decimals of its numbers (0 for whole numbers).
    pub decimals: usize,
    /// What it holds, shown as the app's tooltip.
    pub definition: &'static str,
    /// Its value in a row.
    pub value: fn(&R) -> V,
}

impl<R, V> Column<R, V> {
    /// A column whose heading in the app is its header.
    pub const fn new(
        header: &'static str,
        unit: &'static str,
        decimals: usize,
        definition: &'static str,
        value: fn(&R) -> V,
    ) -> Self {
        Column {
            header,
            heading: header,
            unit,
            decimals,
            definition,
            value,
        }
    }

    /// The tooltip of its heading: the definition, and the unit if it has one.
    pub fn tooltip(&self) -> String {
        if self.unit.is_empty() {
            self.definition.to_string()
        } else {
            format!("{}. Unit: {}", self.definition, self.unit)
        }
    }

    /// The header as a name for identifiers: lower case, `%` as `percent-`, any other character
    /// but letters and digits as `-` (`%Area` is `percent-area`, `Total Area` is `total-area`).
    pub fn slug(&self) -> String {
        self.header
            .replace('%', "percent-")
            .chars()
            .map(|c| {
                if c.is_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect()
    }
}

/// `v` with `decimals` decimals, as every table writes its numbers (`inf` as Rust writes it; NaN,
/// a value not measured, as an empty field).
pub fn number(v: f64, decimals: usize) -> String {
    if v.is_nan() {
        return String::new();
    }
    format!("{v:.decimals$}")
}

impl<R> Column<R, f64> {
    /// The text of its value in `row`, with its decimals.
    pub fn text(&self, row: &R) -> String {
        number((self.value)(row), self.decimals)
    }
}

impl<R> Column<R, Value> {
    /// The text of its value in `row`: a number with its decimals, a text as it is.
    pub fn text(&self, row: &R) -> String {
        match (self.value)(row) {
            Value::Number(v) => number(v, self.decimals),
            Value::Text(s) => s,
            Value::Empty => String::new(),
        }
    }

    /// Its value in `row` as a CSV field.
    pub fn csv(&self, row: &R) -> String {
        match (self.value)(row) {
            Value::Text(s) => csv_field(&s),
            _ => self.text(row),
        }
    }
}

/// A per-image table: its columns in groups, so that several tables share a group (ImageJ's
/// Summarize).
pub type Table<R> = [&'static [Column<R>]];

/// The columns of `table`, in order.
pub fn columns<R>(table: &Table<R>) -> impl Iterator<Item = &Column<R>> {
    table.iter().flat_map(|group| group.iter())
}

/// The CSV column line of `table` (without its newline).
pub fn header<R>(table: &Table<R>) -> String {
    columns(table)
        .map(|c| c.header)
        .collect::<Vec<_>>()
        .join(",")
}

/// The CSV line of `row` under `table` (without its newline).
pub fn csv_line<R>(table: &Table<R>, row: &R) -> String {
    columns(table)
        .map(|c| c.csv(row))
        .collect::<Vec<_>>()
        .join(",")
}

/// The CSV of `rows` under `table`: the column line, then one line per row, each with its
/// newline.
pub fn csv<R>(table: &Table<R>, rows: &[R]) -> String {
    let mut out = header(table);
    out.push('\n');
    for row in rows {
        let _ = writeln!(out, "{}", csv_line(table, row));
    }
    out
}

/// A level as the tables write it: the number, or `local` for a local threshold.
pub fn level_text(level: Option<u16>) -> String {
    level.map_or_else(|| "local".to_string(), |l| l.to_string())
}

/// An expected diameter as the tables write it: `57.2 (auto)` when estimated, `40` when given.
pub fn diameter_text(diameter: f32, estimated: bool) -> String {
    if estimated {
        format!("{diameter:.1} (auto)")
    } else {
        format!("{diameter}")
    }
}

// ---------------------------------------------------------------------------------------------
// Objects

/// The measurements of one object: a counted one or one a filter removed.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectRow {
    /// Label, area, intensities, centroid, bounding box.
    pub stats: ObjectStats,
    /// Shape descriptors.
    pub shape: Shape,
    /// Contrast to the surroundings (NaN if not measured).
    pub contrast: f64,
    /// Cell-body measures.
    pub body: Body,
    /// The classifier's score (NaN when no model counted, or a filter removed the object first).
    pub score: f32,
}

impl ObjectRow {
    /// Counted object `i` (0-based, label order) of `a`, if `a` has its measurements.
    pub fn kept(a: &Analysis, i: usize) -> Option<Self> {
        Some(ObjectRow {
            stats: a.objects.get(i)?.clone(),
            shape: *a.shapes.get(i)?,
            contrast: a.contrast.get(i).copied().unwrap_or(f64::NAN),
            body: *a.bodies.get(i)?,
            score: a.scores.get(i).copied().unwrap_or(f32::NAN),
        })
    }

    /// Object `i` (0-based, label order) that a filter removed from `a`, if `a` has its
    /// measurements.
    pub fn rejected(a: &Analysis, i: usize) -> Option<Self> {
        Some(ObjectRow {
            stats: a.rejected_objects.get(i)?.clone(),
            shape: *a.rejected_shapes.get(i)?,
            contrast: a.rejected_contrast.get(i).copied().unwrap_or(f64::NAN),
            body: *a.rejected_bodies.get(i)?,
            score: a.rejected_scores.get(i).copied().unwrap_or(f32::NAN),
        })
    }
}

/// The header of the per-object CSV's first column, the image's name (not a measurement, so not
/// in [`OBJECTS`] nor in the app's table).
pub const IMAGE: &str = "Image";

/// The columns of the objects table, in order: ImageJ's Results columns (plus our contrast), then
/// the cell-body measures of [`crate::count::body`].
pub const OBJECTS: &[Column<ObjectRow, f64>] = &[
    Column {
        header: "Object",
        heading: "#",
        unit: "",
        decimals: 0,
        definition: "Object number: labels run in raster order of each object's first pixel",
        value: |r| f64::from(r.stats.label),
    },
    Column::new("Area", "px²", 0, "Area in pixels", |r| r.stats.area as f64),
    Column::new(
        "Mean",
        "grey level",
        3,
        "Mean intensity of the analysed channel (before background subtraction)",
        |r| r.stats.mean,
    ),
    Column::new(
        "Min",
        "grey level",
        0,
        "Smallest intensity in the object",
        |r| f64::from(r.stats.min),
    ),
    Column::new(
        "Max",
        "grey level",
        0,
        "Largest intensity in the object",
        |r| f64::from(r.stats.max),
    ),
    Column::new(
        "X",
        "px",
        3,
        "Centroid x in pixels (ImageJ: pixel centres at +0.5)",
        |r| r.stats.x,
    ),
    Column::new(
        "Y",
        "px",
        3,
        "Centroid y in pixels (ImageJ: pixel centres at +0.5)",
        |r| r.stats.y,
    ),
    Column::new("BX", "px", 0, "Left edge of the bounding box", |r| {
        f64::from(r.stats.bx)
    }),
    Column::new("BY", "px", 0, "Top edge of the bounding box", |r| {
        f64::from(r.stats.by)
    }),
    Column::new("Width", "px", 0, "Width of the bounding box", |r| {
        f64::from(r.stats.width)
    }),
    Column::new("Height", "px", 0, "Height of the bounding box", |r| {
        f64::from(r.stats.height)
    }),
    Column::new(
        "Perim.",
        "px",
        3,
        "Perimeter of the traced outline (ImageJ's)",
        |r| r.shape.perimeter,
    ),
    Column::new(
        "Circ.",
        "",
        4,
        "Circularity: 4π·area / perimeter² (1 = a circle)",
        |r| r.shape.circularity,
    ),
    Column::new(
        "AR",
        "",
        3,
        "Aspect ratio: major over minor axis of the fitted ellipse",
        |r| r.shape.aspect_ratio,
    ),
    Column::new(
        "Round",
        "",
        3,
        "Roundness: 4·area / (π·major axis²)",
        |r| r.shape.roundness,
    ),
    Column::new(
        "Solidity",
        "",
        3,
        "Area over the area of the convex hull",
        |r| r.shape.solidity,
    ),
    Column::new(
        "Contrast",
        "grey level",
        3,
        "Mean minus the mean of the background pixels within 8 px of the bounding box",
        |r| r.contrast,
    ),
    Column::new(
        "Thickness",
        "",
        3,
        "Radius of the largest disc inside the object over the expected cell radius \
         (half the diameter): about 1 for a cell body, small for a fibre",
        |r| r.body.thickness,
    ),
    Column::new(
        "Elongation",
        "",
        3,
        "Major over minor axis of the fitted ellipse (1 = round)",
        |r| r.body.elongation,
    ),
    Column::new(
        "Blob",
        "",
        3,
        "Blob measure: ratio of the Hessian's eigenvalues at the cell scale at the centroid \
         (1 = a round blob, 0 = a ridge or an edge)",
        |r| r.body.blob,
    ),
    Column::new(
        "Brightness",
        "",
        3,
        "Mean minus the image's median, in robust spreads (1.4826 median absolute deviations)",
        |r| r.body.brightness,
    ),
    Column::new(
        "Ring",
        "",
        3,
        "Contrast to the ring around the object, in the image's robust spreads",
        |r| r.body.ring,
    ),
    Column::new(
        "Score",
        "",
        3,
        "The object classifier's score, 0 (not a cell) to 1 (a cell); empty when no model counts",
        |r| f64::from(r.score),
    ),
];

/// The column line of the per-object CSV: [`IMAGE`], then the headers of [`OBJECTS`].
pub fn objects_header() -> String {
    std::iter::once(IMAGE)
        .chain(OBJECTS.iter().map(|c| c.header))
        .collect::<Vec<_>>()
        .join(",")
}

/// The rows (no header, no column line) of the per-object CSV under [`objects_header`]: one line
/// per counted object of each `(image name, analysis)`, in label order.
pub fn objects_csv(rows: &[(&str, &Analysis)]) -> String {
    let mut out = String::new();
    for (name, a) in rows {
        let name = csv_field(name);
        for row in (0..a.objects.len()).map_while(|i| ObjectRow::kept(a, i)) {
            out.push_str(&name);
            for c in OBJECTS {
                out.push(',');
                out.push_str(&c.text(&row));
            }
            out.push('\n');
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Per-image tables

/// A per-image row that carries ImageJ's Summarize figures.
pub trait Summarized {
    /// The image's name (ImageJ's "Slice").
    fn slice(&self) -> &str;
    /// Its Summarize figures.
    fn summarize(&self) -> &Summarize;
}

/// ImageJ's first Summarize column, the image's name, in any table of [`Summarized`] rows.
pub const fn slice<R: Summarized>() -> Column<R> {
    Column::new("Slice", "", 0, "The image's file name", |r| {
        Value::Text(r.slice().to_string())
    })
}

/// ImageJ's Summarize figures ([`Summarize::of`]), in any table of [`Summarized`] rows.
pub const fn summarize<R: Summarized>() -> [Column<R>; 5] {
    [
        Column::new("Count", "", 0, "Objects counted", |r| {
            Value::Number(r.summarize().count as f64)
        }),
        Column::new("Total Area", "px²", 0, "Total area of the objects", |r| {
            Value::Number(r.summarize().total_area as f64)
        }),
        Column::new(
            "Average Size",
            "px²",
            3,
            "Total area over the count (0 without objects)",
            |r| Value::Number(r.summarize().average_size),
        ),
        Column::new(
            "%Area",
            "%",
            3,
            "Total area as a percentage of the image's area",
            |r| Value::Number(r.summarize().percent_area),
        ),
        Column::new(
            "Mean",
            "grey level",
            3,
            "Mean intensity of the objects weighted by their area (0 without objects)",
            |r| Value::Number(r.summarize().mean),
        ),
    ]
}

/// One image counted by the command line, as its tables write it.
#[derive(Clone, Debug, PartialEq)]
pub struct CountedImage {
    /// The image's name (the path as given on stdout, the file name in `summary.csv`).
    pub name: String,
    /// The collection whose preset counted it, or `params`.
    pub collection: String,
    /// ImageJ's Summarize figures.
    pub summarize: Summarize,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The global threshold level, `None` for a local threshold.
    pub level: Option<u16>,
    /// Time of the analysis in milliseconds.
    pub ms: f64,
    /// The expected cell diameter in pixels.
    pub diameter: f32,
    /// Whether the diameter was estimated from the image.
    pub diameter_estimated: bool,
}

impl CountedImage {
    /// The row of image `name`, counted as `a` with the preset of `collection`.
    pub fn new(name: &str, a: &Analysis, collection: &str) -> Self {
        CountedImage {
            name: name.to_string(),
            collection: collection.to_string(),
            summarize: Summarize::of(&a.objects, a.width, a.height),
            width: a.width,
            height: a.height,
            level: a.level,
            ms: a.total_ms(),
            diameter: a.diameter,
            diameter_estimated: a.diameter_estimated,
        }
    }
}

impl Summarized for CountedImage {
    fn slice(&self) -> &str {
        &self.name
    }

    fn summarize(&self) -> &Summarize {
        &self.summarize
    }
}

/// The command line's `summary.csv`: ImageJ's Summarize columns, then the collection, the level,
/// the size, the time and the expected cell diameter.
pub const SUMMARY: &Table<CountedImage> = &[
    &[slice()],
    &summarize(),
    &[
        Column::new(
            "Collection",
            "",
            0,
            "The collection whose preset counted the image (params: a parameter file)",
            |r| Value::Text(r.collection.clone()),
        ),
        Column::new(
            "Level",
            "grey level",
            0,
            "The global threshold level, local for a local threshold",
            |r| Value::Text(level_text(r.level)),
        ),
        Column::new("Width", "px", 0, "Image width", |r| {
            Value::Number(f64::from(r.width))
        }),
        Column::new("Height", "px", 0, "Image height", |r| {
            Value::Number(f64::from(r.height))
        }),
        Column::new("ms", "ms", 1, "Time of the analysis", |r| {
            Value::Number(r.ms)
        }),
        Column::new(
            "Diameter",
            "px",
            0,
            "The expected cell diameter, (auto) when estimated from the image",
            |r| Value::Text(diameter_text(r.diameter, r.diameter_estimated)),
        ),
    ],
];

/// The lines `fluocount count` prints, one per image.
pub const COUNT_LINES: &Table<CountedImage> = &[&[
    Column::new("file", "", 0, "The image file, as given", |r| {
        Value::Text(r.name.clone())
    }),
    Column::new("width", "px", 0, "Image width", |r| {
        Value::Number(f64::from(r.width))
    }),
    Column::new("height", "px", 0, "Image height", |r| {
        Value::Number(f64::from(r.height))
    }),
    Column::new(
        "collection",
        "",
        0,
        "The collection whose preset counted the image (params: a parameter file)",
        |r| Value::Text(r.collection.clone()),
    ),
    Column::new("count", "", 0, "Objects counted", |r| {
        Value::Number(r.summarize.count as f64)
    }),
    Column::new(
        "level",
        "grey level",
        0,
        "The global threshold level, local for a local threshold",
        |r| Value::Text(level_text(r.level)),
    ),
    Column::new("ms", "ms", 1, "Time of the analysis", |r| {
        Value::Number(r.ms)
    }),
]];

impl Summarized for Summary {
    fn slice(&self) -> &str {
        &self.image
    }

    fn summarize(&self) -> &Summarize {
        &self.summarize
    }
}

/// The app's summary CSV ([`summary_csv`]): ImageJ's Summarize columns,
/// then the manual corrections.
pub const CORRECTED: &Table<Summary> = &[
    &[slice()],
    &summarize(),
    &[
        Column::new("Automatic", "", 0, "The count before corrections", |r| {
            Value::Number(r.automatic as f64)
        }),
        Column::new("Removed", "", 0, "Objects removed by hand", |r| {
            Value::Number(r.removed as f64)
        }),
        Column::new(
            "Added",
            "",
            0,
            "Cells added by hand (type-1 markers not on a kept object)",
            |r| Value::Number(r.added as f64),
        ),
        Column::new("Corrected", "", 0, "Automatic − removed + added", |r| {
            Value::Number(r.corrected as f64)
        }),
        Column::new(
            "Marker types",
            "",
            0,
            "The markers of each Cell Counter type, as type:name=count",
            |r| {
                Value::Text(
                    r.per_type
                        .iter()
                        .map(|(id, name, n)| format!("{id}:{name}={n}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            },
        ),
    ],
];

/// The summary CSV: the header block (version and every parameter), one row per image under
/// [`CORRECTED`], then one row per region of each image (`Region,Image,Name,Count,Area,Density per Mpx`).
pub fn summary_csv(version: &str, params_text: &str, rows: &[Summary]) -> String {
    let mut out = export::header(version, params_text);
    out.push_str(&csv(CORRECTED, rows));
    if rows.iter().any(|s| !s.rois.is_empty()) {
        out.push_str("\nRegion,Image,Name,Count,Area,Density per Mpx\n");
        for s in rows {
            for (i, r) in s.rois.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{:.3}",
                    i + 1,
                    csv_field(&s.image),
                    csv_field(&r.name),
                    r.count,
                    r.area_px,
                    r.density_per_mpx
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::{
        roi::{Roi, count_in_rois},
        testing::{tiny, tiny_unsplit},
    };
    use std::collections::HashSet;

    /// Object 7: literal measurements.
    fn literal() -> ObjectRow {
        ObjectRow {
            stats: ObjectStats {
                label: 7,
                area: 1234,
                x: 10.25,
                y: 20.5,
                bx: 3,
                by: 4,
                width: 40,
                height: 41,
                mean: 99.87654,
                min: 12,
                max: 250,
            },
            shape: Shape {
                perimeter: 130.12345,
                circularity: 0.91789,
                major: 42.0,
                minor: 38.0,
                angle: 10.0,
                aspect_ratio: 1.10526,
                roundness: 0.9048,
                solidity: 0.97,
                feret: 43.0,
                min_feret: 37.0,
            },
            contrast: f64::NAN,
            body: Body {
                thickness: 1.0,
                elongation: 1.10526,
                blob: 0.8,
                brightness: 12.3456,
                ring: -1.5,
            },
            score: 0.875,
        }
    }

    fn unique<'a>(headers: impl Iterator<Item = &'a str>) -> bool {
        let mut seen = HashSet::new();
        headers.into_iter().all(|h| seen.insert(h))
    }

    #[test]
    fn every_table_has_unique_headers_and_headings() {
        assert!(unique(
            std::iter::once(IMAGE).chain(OBJECTS.iter().map(|c| c.header))
        ));
        assert!(unique(OBJECTS.iter().map(|c| c.heading)));
        assert!(unique(columns(SUMMARY).map(|c| c.header)));
        assert!(unique(columns(COUNT_LINES).map(|c| c.header)));
        assert!(unique(columns(CORRECTED).map(|c| c.header)));
        assert!(OBJECTS.iter().all(|c| !c.definition.is_empty()));
        assert!(columns(CORRECTED).all(|c| !c.definition.is_empty()));
    }

    #[test]
    fn column_lines_are_those_of_before() {
        assert_eq!(
            objects_header(),
            "Image,Object,Area,Mean,Min,Max,X,Y,BX,BY,Width,Height,Perim.,Circ.,AR,Round,\
             Solidity,Contrast,Thickness,Elongation,Blob,Brightness,Ring,Score"
        );
        assert_eq!(
            header(SUMMARY),
            "Slice,Count,Total Area,Average Size,%Area,Mean,Collection,Level,Width,Height,ms,\
             Diameter"
        );
        assert_eq!(
            header(COUNT_LINES),
            "file,width,height,collection,count,level,ms"
        );
        assert_eq!(
            header(CORRECTED),
            "Slice,Count,Total Area,Average Size,%Area,Mean,Automatic,Removed,Added,Corrected,\
             Marker types"
        );
        // The app's headings: ImageJ's names, `#` for the object number.
        assert_eq!(
            OBJECTS.iter().map(|c| c.heading).collect::<Vec<_>>(),
            [
                "#",
                "Area",
                "Mean",
                "Min",
                "Max",
                "X",
                "Y",
                "BX",
                "BY",
                "Width",
                "Height",
                "Perim.",
                "Circ.",
                "AR",
                "Round",
                "Solidity",
                "Contrast",
                "Thickness",
                "Elongation",
                "Blob",
                "Brightness",
                "Ring",
                "Score"
            ]
        );
    }

    #[test]
    fn a_literal_object_row_formats_as_its_columns_say() {
        let r = literal();
        let cells: Vec<String> = OBJECTS.iter().map(|c| c.text(&r)).collect();
        assert_eq!(
            cells.join(","),
            "7,1234,99.877,12,250,10.250,20.500,3,4,40,41,130.123,0.9179,1.105,0.905,0.970,,\
             1.000,1.105,0.800,12.346,-1.500,0.875"
        );
        assert_eq!(number(f64::INFINITY, 3), "inf");
        assert_eq!(number(f64::NAN, 3), "", "not measured: an empty field");
        assert_eq!(number(1234.0, 0), "1234");
        assert_eq!(OBJECTS[1].tooltip(), "Area in pixels. Unit: px²");
        assert_eq!(OBJECTS[12].tooltip(), OBJECTS[12].definition);
    }

    #[test]
    fn object_rows_of_a_tiny_analysis() {
        let a = tiny();
        assert_eq!(a.count(), 2);
        let rows = objects_csv(&[("a,b.tif", &a), ("c.tif", &a)]);
        let lines: Vec<&str> = rows.lines().collect();
        assert_eq!(lines.len(), 4);
        let first: Vec<&str> = lines[0].split(',').collect();
        // quoted name, label 1, area 4, mean 200, min 200, max 200, centroid (1, 1), box 0,0 2x2
        assert_eq!(
            first[..12],
            [
                "\"a", "b.tif\"", "1", "4", "200.000", "200", "200", "1.000", "1.000", "0", "0",
                "2"
            ]
        );
        let second: Vec<&str> = lines[1].split(',').collect();
        // the L: area 3, mean 100, centroid x = (5.5 + 4.5 + 5.5) / 3, y = (0.5 + 1.5 + 1.5) / 3
        assert_eq!(
            second[..12],
            [
                "\"a", "b.tif\"", "2", "3", "100.000", "100", "100", "5.167", "1.167", "4", "0",
                "2"
            ]
        );
        assert!(lines[2].starts_with("c.tif,1,4,200.000,"));
        assert_eq!(
            lines
                .iter()
                .map(|l| l.matches(',').count())
                .collect::<Vec<_>>(),
            vec![24, 24, 23, 23]
        );
        assert_eq!(objects_csv(&[]), "");
        assert_eq!(ObjectRow::kept(&a, 2), None);
        assert_eq!(ObjectRow::rejected(&a, 0), None);
    }

    #[test]
    fn summarize_of_literal_objects_uses_imagej_formulas() {
        let object = |area: u64, mean: f64| ObjectStats {
            area,
            mean,
            ..literal().stats
        };
        // 700 px of a 100x50 image: Average Size 350, %Area 14, Mean (400 * 10 + 300 * 20) / 700.
        let s = Summarize::of(&[object(400, 10.0), object(300, 20.0)], 100, 50);
        assert_eq!((s.count, s.total_area), (2, 700));
        assert_eq!(s.average_size, 350.0);
        assert_eq!(s.percent_area, 14.0);
        assert!((s.mean - 10_000.0 / 700.0).abs() < 1e-12);
        // Without objects: all 0, no division by zero; an empty image counts as 1 pixel.
        let none = Summarize::of(&[], 0, 0);
        assert_eq!(
            (
                none.count,
                none.total_area,
                none.average_size,
                none.percent_area,
                none.mean
            ),
            (0, 0, 0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn summary_line_of_a_tiny_analysis() {
        let a = tiny();
        let row = CountedImage::new("c.tif", &a, "yellow");
        let line = csv_line(SUMMARY, &row);
        let f: Vec<&str> = line.split(',').collect();
        // 7 px of 24 = 29.167 %; mean (4 * 200 + 3 * 100) / 7 = 157.143
        assert_eq!(
            f[..10],
            [
                "c.tif", "2", "7", "3.500", "29.167", "157.143", "yellow", "50", "6", "4"
            ]
        );
        assert_eq!(f.len(), columns(SUMMARY).count());
        let stdout = csv_line(COUNT_LINES, &CountedImage::new("x, y.png", &a, "red"));
        assert!(stdout.starts_with("\"x, y.png\",6,4,red,2,50,"), "{stdout}");
        assert_eq!(diameter_text(57.25, true), "57.2 (auto)");
        assert_eq!(diameter_text(40.0, false), "40");
        assert_eq!(level_text(None), "local");
    }

    #[test]
    fn slugs_name_the_summarize_figures() {
        let slugs: Vec<String> = summarize::<Summary>().iter().map(Column::slug).collect();
        assert_eq!(
            slugs,
            [
                "count",
                "total-area",
                "average-size",
                "percent-area",
                "mean"
            ]
        );
    }

    #[test]
    fn csv_has_the_header_rows_and_regions() {
        let a = tiny_unsplit();
        let centroids: Vec<(f64, f64)> = a.objects.iter().map(|o| (o.x, o.y)).collect();
        let rois = count_in_rois(
            &[Roi::rect("left, half", 0.0, 0.0, 3.0, 4.0)],
            &centroids,
            6,
            4,
        );
        let s = Summary::new("my, image.png", &a, None, rois);
        let csv = summary_csv("9.9.9", "v=2&a=1", &[s]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "# fluocount 9.9.9");
        assert_eq!(lines[1], "# parameters: v=2&a=1");
        assert_eq!(
            lines[2],
            "Slice,Count,Total Area,Average Size,%Area,Mean,Automatic,Removed,Added,Corrected,\
             Marker types"
        );
        assert_eq!(
            lines[3],
            "\"my, image.png\",2,8,4.000,33.333,150.000,2,0,0,2,"
        );
        assert_eq!(lines[5], "Region,Image,Name,Count,Area,Density per Mpx");
        assert_eq!(
            lines[6],
            "1,\"my, image.png\",\"left, half\",1,12,83333.333"
        );
    }
}
