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
    imaging::{
        calibration::{Calibration, Unit},
        label::ObjectStats,
        shape::Shape,
    },
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

/// How a column's numbers follow an image's calibration, as ImageJ's Results do after *Set
/// Scale*: lengths along x in `pixelWidth`s, along y in `pixelHeight`s, areas in both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Not a length: a count, an intensity, a ratio (Circ., AR, Round, Solidity), a text.
    None,
    /// A position or length along x (X, BX, Width).
    X,
    /// A position or length along y (Y, BY, Height).
    Y,
    /// A length along an outline (Perim.): times the pixel width when pixels are square, not
    /// measured (empty) when they are not, since a traced perimeter's sides are not kept.
    Length,
    /// An area (Area, Total Area, Average Size).
    Area,
}

impl Scale {
    /// The factor from pixels to `c`'s unit (NaN for a length on non-square pixels).
    pub fn factor(self, c: &Calibration) -> Option<f64> {
        match self {
            Scale::None => None,
            Scale::X => Some(c.pixel_width),
            Scale::Y => Some(c.pixel_height),
            Scale::Length if c.is_square() => Some(c.pixel_width),
            Scale::Length => Some(f64::NAN),
            Scale::Area => Some(c.pixel_area()),
        }
    }

    /// The unit of a scaled column in `unit` (`µm`, `µm²`), `None` for [`Scale::None`].
    pub fn unit_in(self, unit: Unit) -> Option<String> {
        match self {
            Scale::None => None,
            Scale::Area => Some(format!("{unit}²")),
            _ => Some(unit.symbol().to_string()),
        }
    }
}

/// A row whose lengths may be in a calibrated unit.
pub trait Calibrated {
    /// The calibration of the row's image, `None` for pixels.
    fn calibration(&self) -> Option<Calibration> {
        None
    }
}

/// The units of a set of rows: all in pixels, all in one unit (the headers then name it), or
/// mixed (each row says its own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Units {
    /// No row is calibrated.
    Pixels,
    /// Every row is calibrated in this unit.
    One(Unit),
    /// Some rows are calibrated, in different units or not at all.
    Mixed,
}

impl Units {
    /// The units of `calibrations`.
    pub fn of(calibrations: impl IntoIterator<Item = Option<Calibration>>) -> Self {
        let mut units = None;
        for c in calibrations {
            let u = c.map(|c| c.unit);
            match units {
                None => units = Some(u),
                Some(v) if v != u => return Units::Mixed,
                _ => {}
            }
        }
        match units.flatten() {
            Some(u) => Units::One(u),
            None => Units::Pixels,
        }
    }

    /// The unit the headers name.
    pub fn common(self) -> Option<Unit> {
        match self {
            Units::One(u) => Some(u),
            _ => None,
        }
    }
}

/// One column of a table whose rows are `R` and whose values are `V`: numbers (`f64`) for the
/// objects, [`Value`]s for the per-image tables. Values are in pixels; a calibrated row's are
/// scaled by its [`Scale`] when written.
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
    /// Its value in a row, in pixels.
    pub value: fn(&R) -> V,
    /// How its numbers follow a calibration.
    pub scale: Scale,
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
            scale: Scale::None,
        }
    }

    /// The column with its numbers following a calibration by `scale`.
    pub const fn scaled(self, scale: Scale) -> Self {
        Column { scale, ..self }
    }

    /// The CSV header when the rows are in `unit`: `Area (µm²)` for a scaled column, the header
    /// alone otherwise (and in pixels, as before calibrations).
    pub fn header_in(&self, unit: Option<Unit>) -> String {
        with_unit(self.header, self.scale, unit)
    }

    /// The app's heading when the rows are in `unit` (see [`Column::header_in`]).
    pub fn heading_in(&self, unit: Option<Unit>) -> String {
        with_unit(self.heading, self.scale, unit)
    }

    /// The unit of its numbers in a row calibrated in `unit` (its own unit in pixels).
    pub fn unit_in(&self, unit: Option<Unit>) -> String {
        unit.and_then(|u| self.scale.unit_in(u))
            .unwrap_or_else(|| self.unit.to_string())
    }

    /// The tooltip of its heading with the rows in `unit`.
    pub fn tooltip_in(&self, unit: Option<Unit>) -> String {
        let unit = self.unit_in(unit);
        if unit.is_empty() {
            self.definition.to_string()
        } else {
            format!("{}. Unit: {unit}", self.definition)
        }
    }

    /// `v` (in pixels) in `calibration`'s unit, as text: the column's decimals in pixels; at
    /// least 3 decimals, and 4 significant digits below 0.1, when calibrated (ImageJ's 3).
    fn number_in(&self, v: f64, calibration: Option<Calibration>) -> String {
        match calibration.and_then(|c| self.scale.factor(&c)) {
            Some(f) => calibrated_number(v * f, self.decimals),
            None => number(v, self.decimals),
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

/// `header (unit)` for a column scaled in `unit`.
fn with_unit(header: &str, scale: Scale, unit: Option<Unit>) -> String {
    match unit.and_then(|u| scale.unit_in(u)) {
        Some(u) => format!("{header} ({u})"),
        None => header.to_string(),
    }
}

/// A calibrated value as the tables write it: at least 3 decimals (ImageJ's default), and
/// enough for 4 significant digits below 0.1 (an area in mm² or inch²).
pub fn calibrated_number(v: f64, decimals: usize) -> String {
    let small = v != 0.0 && v.is_finite() && v.abs() < 0.1;
    let decimals = if small {
        (3 - v.abs().log10().floor() as i64).clamp(3, 15) as usize
    } else {
        decimals.max(3)
    };
    number(v, decimals)
}

/// `v` with `decimals` decimals, as every table writes its numbers (`inf` as Rust writes it; NaN,
/// a value not measured, as an empty field).
pub fn number(v: f64, decimals: usize) -> String {
    if v.is_nan() {
        return String::new();
    }
    format!("{v:.decimals$}")
}

impl<R: Calibrated> Column<R, f64> {
    /// The text of its value in `row`, with its decimals, in the row's unit.
    pub fn text(&self, row: &R) -> String {
        self.number_in((self.value)(row), row.calibration())
    }

    /// Its value in `row` in the row's unit.
    pub fn value_in(&self, row: &R) -> f64 {
        let v = (self.value)(row);
        match row.calibration().and_then(|c| self.scale.factor(&c)) {
            Some(f) => v * f,
            None => v,
        }
    }
}

impl<R: Calibrated> Column<R, Value> {
    /// The text of its value in `row`: a number with its decimals (in the row's unit), a text as
    /// it is.
    pub fn text(&self, row: &R) -> String {
        match (self.value)(row) {
            Value::Number(v) => self.number_in(v, row.calibration()),
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

/// The CSV column line of `table` in pixels (without its newline).
pub fn header<R>(table: &Table<R>) -> String {
    columns(table)
        .map(|c| c.header)
        .collect::<Vec<_>>()
        .join(",")
}

/// The CSV line of `row` under `table` (without its newline).
pub fn csv_line<R: Calibrated>(table: &Table<R>, row: &R) -> String {
    columns(table)
        .map(|c| c.csv(row))
        .collect::<Vec<_>>()
        .join(",")
}

/// The columns a per-image table gains when an image is calibrated: its pixel size and unit
/// (empty and `pixel` for an image that is not).
pub const CALIBRATION_HEADERS: &str = "Pixel width,Pixel height,Unit";

/// `row`'s fields under [`CALIBRATION_HEADERS`].
fn calibration_fields(c: Option<Calibration>) -> String {
    match c {
        Some(c) => format!("{},{},{}", c.pixel_width, c.pixel_height, c.unit),
        None => ",,pixel".to_string(),
    }
}

/// The CSV of `rows` under `table`: the column line, then one line per row, each with its
/// newline. When an image is calibrated, the scaled columns' headers name the unit all rows
/// share (`Total Area (µm²)`) and every row ends with its pixel size and unit
/// ([`CALIBRATION_HEADERS`]); otherwise the table is as it always was.
pub fn csv<R: Calibrated>(table: &Table<R>, rows: &[R]) -> String {
    let units = Units::of(rows.iter().map(Calibrated::calibration));
    let mut out = columns(table)
        .map(|c| c.header_in(units.common()))
        .collect::<Vec<_>>()
        .join(",");
    if units != Units::Pixels {
        out.push(',');
        out.push_str(CALIBRATION_HEADERS);
    }
    out.push('\n');
    for row in rows {
        out.push_str(&csv_line(table, row));
        if units != Units::Pixels {
            out.push(',');
            out.push_str(&calibration_fields(row.calibration()));
        }
        out.push('\n');
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
    /// The image's calibration, `None` for pixels.
    pub calibration: Option<Calibration>,
}

impl Calibrated for ObjectRow {
    fn calibration(&self) -> Option<Calibration> {
        self.calibration
    }
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
            calibration: None,
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
            calibration: None,
        })
    }

    /// The row with its lengths in `calibration`'s unit.
    pub fn calibrated(self, calibration: Option<Calibration>) -> Self {
        ObjectRow {
            calibration,
            ..self
        }
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
        value: |r: &ObjectRow| f64::from(r.stats.label),
        scale: Scale::None,
    },
    Column::new(
        "Area",
        "px²",
        0,
        "Area: pixels, or the calibrated unit squared",
        |r: &ObjectRow| r.stats.area as f64,
    )
    .scaled(Scale::Area),
    Column::new(
        "Mean",
        "grey level",
        3,
        "Mean intensity of the analysed channel (before background subtraction)",
        |r: &ObjectRow| r.stats.mean,
    ),
    Column::new(
        "Min",
        "grey level",
        0,
        "Smallest intensity in the object",
        |r: &ObjectRow| f64::from(r.stats.min),
    ),
    Column::new(
        "Max",
        "grey level",
        0,
        "Largest intensity in the object",
        |r: &ObjectRow| f64::from(r.stats.max),
    ),
    Column::new(
        "X",
        "px",
        3,
        "Centroid x in pixels (ImageJ: pixel centres at +0.5)",
        |r: &ObjectRow| r.stats.x,
    )
    .scaled(Scale::X),
    Column::new(
        "Y",
        "px",
        3,
        "Centroid y in pixels (ImageJ: pixel centres at +0.5)",
        |r: &ObjectRow| r.stats.y,
    )
    .scaled(Scale::Y),
    Column::new(
        "BX",
        "px",
        0,
        "Left edge of the bounding box",
        |r: &ObjectRow| f64::from(r.stats.bx),
    )
    .scaled(Scale::X),
    Column::new(
        "BY",
        "px",
        0,
        "Top edge of the bounding box",
        |r: &ObjectRow| f64::from(r.stats.by),
    )
    .scaled(Scale::Y),
    Column::new(
        "Width",
        "px",
        0,
        "Width of the bounding box",
        |r: &ObjectRow| f64::from(r.stats.width),
    )
    .scaled(Scale::X),
    Column::new(
        "Height",
        "px",
        0,
        "Height of the bounding box",
        |r: &ObjectRow| f64::from(r.stats.height),
    )
    .scaled(Scale::Y),
    Column::new(
        "Perim.",
        "px",
        3,
        "Perimeter of the traced outline (ImageJ's)",
        |r: &ObjectRow| r.shape.perimeter,
    )
    .scaled(Scale::Length),
    Column::new(
        "Circ.",
        "",
        4,
        "Circularity: 4π·area / perimeter² (1 = a circle)",
        |r: &ObjectRow| r.shape.circularity,
    ),
    Column::new(
        "AR",
        "",
        3,
        "Aspect ratio: major over minor axis of the fitted ellipse",
        |r: &ObjectRow| r.shape.aspect_ratio,
    ),
    Column::new(
        "Round",
        "",
        3,
        "Roundness: 4·area / (π·major axis²)",
        |r: &ObjectRow| r.shape.roundness,
    ),
    Column::new(
        "Solidity",
        "",
        3,
        "Area over the area of the convex hull",
        |r: &ObjectRow| r.shape.solidity,
    ),
    Column::new(
        "Contrast",
        "grey level",
        3,
        "Mean minus the mean of the background pixels within 8 px of the bounding box",
        |r: &ObjectRow| r.contrast,
    ),
    Column::new(
        "Thickness",
        "",
        3,
        "Radius of the largest disc inside the object over the expected cell radius \
         (half the diameter): about 1 for a cell body, small for a fibre",
        |r: &ObjectRow| r.body.thickness,
    ),
    Column::new(
        "Elongation",
        "",
        3,
        "Major over minor axis of the fitted ellipse (1 = round)",
        |r: &ObjectRow| r.body.elongation,
    ),
    Column::new(
        "Blob",
        "",
        3,
        "Blob measure: ratio of the Hessian's eigenvalues at the cell scale at the centroid \
         (1 = a round blob, 0 = a ridge or an edge)",
        |r: &ObjectRow| r.body.blob,
    ),
    Column::new(
        "Brightness",
        "",
        3,
        "Mean minus the image's median, in robust spreads (1.4826 median absolute deviations)",
        |r: &ObjectRow| r.body.brightness,
    ),
    Column::new(
        "Ring",
        "",
        3,
        "Contrast to the ring around the object, in the image's robust spreads",
        |r: &ObjectRow| r.body.ring,
    ),
    Column::new(
        "Score",
        "",
        3,
        "The object classifier's score, 0 (not a cell) to 1 (a cell); empty when no model counts",
        |r: &ObjectRow| f64::from(r.score),
    ),
];

/// The column line of the per-object CSV in pixels: [`IMAGE`], then the headers of [`OBJECTS`].
pub fn objects_header() -> String {
    objects_header_in(Units::Pixels)
}

/// The column line of the per-object CSV for images in `units`: the scaled headers name a
/// common unit (`Area (µm²)`); with mixed units a last column, `Unit`, names each row's.
pub fn objects_header_in(units: Units) -> String {
    let mut out = std::iter::once(IMAGE.to_string())
        .chain(OBJECTS.iter().map(|c| c.header_in(units.common())))
        .collect::<Vec<_>>()
        .join(",");
    if units == Units::Mixed {
        out.push_str(",Unit");
    }
    out
}

/// One image of the per-object CSV: its name, its analysis and its calibration.
pub type ObjectsOf<'a> = (&'a str, &'a Analysis, Option<Calibration>);

/// The units of the images of a per-object CSV.
pub fn objects_units(rows: &[ObjectsOf<'_>]) -> Units {
    Units::of(rows.iter().map(|r| r.2))
}

/// The rows (no header, no column line) of the per-object CSV under [`objects_header_in`] of
/// [`objects_units`]: one line per counted object of each image, in label order, in the image's
/// unit.
pub fn objects_csv(rows: &[ObjectsOf<'_>]) -> String {
    let units = objects_units(rows);
    let mut out = String::new();
    for (name, a, calibration) in rows {
        let name = csv_field(name);
        for row in (0..a.objects.len()).map_while(|i| ObjectRow::kept(a, i)) {
            let row = row.calibrated(*calibration);
            out.push_str(&name);
            for c in OBJECTS {
                out.push(',');
                out.push_str(&c.text(&row));
            }
            if units == Units::Mixed {
                out.push(',');
                out.push_str(calibration.map_or("pixel", |c| c.unit.symbol()));
            }
            out.push('\n');
        }
    }
    out
}

/// The per-object CSV's column line and rows ([`objects_header_in`], [`objects_csv`]).
pub fn objects_table(rows: &[ObjectsOf<'_>]) -> String {
    format!(
        "{}\n{}",
        objects_header_in(objects_units(rows)),
        objects_csv(rows)
    )
}

// ---------------------------------------------------------------------------------------------
// Per-image tables

/// A per-image row that carries ImageJ's Summarize figures.
pub trait Summarized: Calibrated {
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
        Column::new(
            "Total Area",
            "px²",
            0,
            "Total area of the objects",
            |r: &R| Value::Number(r.summarize().total_area as f64),
        )
        .scaled(Scale::Area),
        Column::new(
            "Average Size",
            "px²",
            3,
            "Total area over the count (0 without objects)",
            |r: &R| Value::Number(r.summarize().average_size),
        )
        .scaled(Scale::Area),
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
    /// The image's calibration, `None` for pixels.
    pub calibration: Option<Calibration>,
}

impl Calibrated for CountedImage {
    fn calibration(&self) -> Option<Calibration> {
        self.calibration
    }
}

impl Calibrated for Summary {
    fn calibration(&self) -> Option<Calibration> {
        self.calibration
    }
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
            calibration: None,
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

/// The header of the region lines of [`summary_csv`].
pub const REGIONS_HEADER: &str = "Region,Image,Name,Count,Area,Density per Mpx";

/// The columns the region lines gain when an image is calibrated: the area in the calibrated
/// unit, that unit, and the density in cells per mm² (empty for an image in pixels).
pub const CALIBRATED_REGIONS_HEADER: &str = "Calibrated area,Area unit,Density per mm²";

/// The summary CSV: the header block (version and every parameter), one row per image under
/// [`CORRECTED`] (with [`CALIBRATION_HEADERS`] when an image is calibrated), then one row per
/// region of each image ([`REGIONS_HEADER`], then [`CALIBRATED_REGIONS_HEADER`] when an image
/// is calibrated).
pub fn summary_csv(version: &str, params_text: &str, rows: &[Summary]) -> String {
    let mut out = export::header(version, params_text);
    out.push_str(&csv(CORRECTED, rows));
    let calibrated = rows.iter().any(|s| s.calibration.is_some());
    if rows.iter().any(|s| !s.rois.is_empty()) {
        out.push('\n');
        out.push_str(REGIONS_HEADER);
        if calibrated {
            out.push(',');
            out.push_str(CALIBRATED_REGIONS_HEADER);
        }
        out.push('\n');
        for s in rows {
            for (i, r) in s.rois.iter().enumerate() {
                let _ = write!(
                    out,
                    "{},{},{},{},{},{:.3}",
                    i + 1,
                    csv_field(&s.image),
                    csv_field(&r.name),
                    r.count,
                    r.area_px,
                    r.density_per_mpx
                );
                if calibrated {
                    match s.calibration {
                        Some(c) => {
                            let _ = write!(
                                out,
                                ",{},{},{:.3}",
                                calibrated_number(r.area_in(&c), 3),
                                c.area_unit(),
                                r.density_per_mm2(&c)
                            );
                        }
                        None => out.push_str(",,,"),
                    }
                }
                out.push('\n');
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
            calibration: None,
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
        assert_eq!(
            OBJECTS[1].tooltip(),
            "Area: pixels, or the calibrated unit squared. Unit: px²"
        );
        assert_eq!(
            OBJECTS[1].tooltip_in(Some(Unit::Um)),
            "Area: pixels, or the calibrated unit squared. Unit: µm²"
        );
        assert_eq!(OBJECTS[12].tooltip(), OBJECTS[12].definition);
    }

    #[test]
    fn object_rows_of_a_tiny_analysis() {
        let a = tiny();
        assert_eq!(a.count(), 2);
        let rows = objects_csv(&[("a,b.tif", &a, None), ("c.tif", &a, None)]);
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

    #[test]
    fn calibrated_rows_are_in_the_unit_named_by_the_headers() {
        let c = Calibration::square(0.5, Unit::Um);
        let r = literal().calibrated(c);
        let cells: Vec<String> = OBJECTS.iter().map(|c| c.text(&r)).collect();
        // Area 1234 px = 308.5 µm²; X, Y, BX, BY, Width, Height, Perim. halved; the rest as in
        // pixels.
        assert_eq!(
            cells.join(","),
            "7,308.500,99.877,12,250,5.125,10.250,1.500,2.000,20.000,20.500,65.062,0.9179,1.105,\
             0.905,0.970,,1.000,1.105,0.800,12.346,-1.500,0.875"
        );
        let unit = Some(Unit::Um);
        assert_eq!(OBJECTS[1].header_in(unit), "Area (µm²)");
        assert_eq!(OBJECTS[5].heading_in(unit), "X (µm)");
        assert_eq!(OBJECTS[12].header_in(unit), "Circ.");
        // Non-square pixels: x by the width, y by the height, no perimeter.
        let n = literal().calibrated(Calibration::new(0.5, 2.0, Unit::Um));
        assert_eq!(OBJECTS[1].text(&n), "1234.000");
        assert_eq!(OBJECTS[6].text(&n), "41.000");
        assert_eq!(OBJECTS[11].text(&n), "");
        // mm²: four significant digits.
        let mm = literal().calibrated(Calibration::square(0.001, Unit::Mm));
        assert_eq!(OBJECTS[1].text(&mm), "0.001234");
        assert_eq!(calibrated_number(0.0, 0), "0.000");

        let a = tiny();
        let um = Calibration::square(0.5, Unit::Um);
        assert_eq!(
            objects_table(&[("a.tif", &a, um)]).lines().next(),
            Some(
                "Image,Object,Area (µm²),Mean,Min,Max,X (µm),Y (µm),BX (µm),BY (µm),Width (µm),\
                 Height (µm),Perim. (µm),Circ.,AR,Round,Solidity,Contrast,Thickness,Elongation,\
                 Blob,Brightness,Ring,Score"
            )
        );
        assert!(objects_table(&[("a.tif", &a, um)]).contains("\na.tif,1,1.000,200.000,"));
        // Mixed: no unit in the headers, each row names its own.
        let mixed = objects_table(&[("a.tif", &a, um), ("b.tif", &a, None)]);
        let lines: Vec<&str> = mixed.lines().collect();
        assert!(lines[0].starts_with("Image,Object,Area,") && lines[0].ends_with(",Score,Unit"));
        assert!(lines[1].starts_with("a.tif,1,1.000,") && lines[1].ends_with(",µm"));
        assert!(lines[3].starts_with("b.tif,1,4,") && lines[3].ends_with(",pixel"));
        assert_eq!(
            objects_table(&[("b.tif", &a, None)]),
            format!(
                "{}\n{}",
                objects_header(),
                objects_csv(&[("b.tif", &a, None)])
            )
        );

        // The summary: calibrated figures, the unit in the headers, the pixel size per image.
        let s = CountedImage {
            calibration: um,
            ..CountedImage::new("c.tif", &a, "yellow")
        };
        let text = csv(SUMMARY, &[s]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "Slice,Count,Total Area (µm²),Average Size (µm²),%Area,Mean,Collection,Level,Width,\
             Height,ms,Diameter,Pixel width,Pixel height,Unit"
        );
        assert!(
            lines[1].starts_with("c.tif,2,1.750,0.875,29.167,"),
            "{}",
            lines[1]
        );
        assert!(lines[1].ends_with(",0.5,0.5,µm"), "{}", lines[1]);
    }

    #[test]
    fn regions_in_calibrated_units() {
        let a = tiny_unsplit();
        let centroids: Vec<(f64, f64)> = a.objects.iter().map(|o| (o.x, o.y)).collect();
        let rois = count_in_rois(&[Roi::rect("r", 0.0, 0.0, 3.0, 4.0)], &centroids, 6, 4);
        let mut s = Summary::new("i.png", &a, None, rois);
        s.calibration = Calibration::square(10.0, Unit::Um);
        let csv = summary_csv("9.9.9", "v=2", &[s]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[5],
            "Region,Image,Name,Count,Area,Density per Mpx,Calibrated area,Area unit,\
             Density per mm²"
        );
        // 12 px of 100 µm² = 1200 µm² = 0.0012 mm²: 1 / 0.0012 = 833.333 a mm².
        assert_eq!(lines[6], "1,i.png,r,1,12,83333.333,1200.000,µm²,833.333");
    }
}
