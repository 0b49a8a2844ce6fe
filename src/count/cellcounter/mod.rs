//! Manual corrections of an automatic count, in the style of ImageJ/Fiji's Cell Counter plugin
//! (Kurt De Vos, `sc.fiji.cellCounter`), as a pure state machine with undo and redo.
//!
//! Every correction is stored by pixel position, never by object label: a removal is a point on
//! the object to drop, an addition is a type-1 marker. So the corrections survive a re-analysis
//! with other parameters and are re-applied to whatever objects lie under those points now
//! ([`Corrections::tally`]). Markers and Fiji's `CellCounter_Marker_File` XML convert both ways
//! ([`to_xml`], [`parse_xml`], [`import`]).

/// A marker type, as Cell Counter's numbered counters (`<Type>` and `<Name>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkerType {
    /// 1-based id, as Cell Counter's `<Type>`; type 1 is the counted cell.
    pub id: u32,
    /// Display name.
    pub name: String,
}

/// A manual marker at a pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marker {
    /// Pixel column.
    pub x: u32,
    /// Pixel row.
    pub y: u32,
    /// The [`MarkerType::id`] it belongs to.
    pub type_id: u32,
}

/// The plain data behind [`Corrections`], without history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorrectionState {
    /// Marker types, in ascending id order.
    pub types: Vec<MarkerType>,
    /// Markers, in the order they were placed.
    pub markers: Vec<Marker>,
    /// Points on detected objects the user removed.
    pub removals: Vec<(u32, u32)>,
}

impl Default for CorrectionState {
    fn default() -> Self {
        CorrectionState {
            types: vec![
                MarkerType {
                    id: 1,
                    name: "Cell".into(),
                },
                MarkerType {
                    id: 2,
                    name: "Type 2".into(),
                },
            ],
            markers: Vec::new(),
            removals: Vec::new(),
        }
    }
}

/// One user edit; [`Corrections::apply`] records it for undo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Places a marker (its type must exist).
    AddMarker(Marker),
    /// Deletes the marker at this index of [`Corrections::markers`].
    RemoveMarker(usize),
    /// Drops the detected object under this point from the count.
    RemoveObject {
        /// Pixel column.
        x: u32,
        /// Pixel row.
        y: u32,
    },
    /// Forgets these removal points (one stored point each), restoring their objects; see
    /// [`Corrections::restore_at`] and [`Corrections::forget_stale`].
    Restore(Vec<(u32, u32)>),
    /// Renames a type.
    RenameType {
        /// The type's id.
        id: u32,
        /// Its new name.
        name: String,
    },
    /// Adds a type with the next free id.
    AddType {
        /// Its name.
        name: String,
    },
    /// Replaces everything, e.g. by an imported marker file or a reset.
    ImportReplace(Box<CorrectionState>),
}

/// How to take back one applied action.
#[derive(Clone, Debug)]
enum Undo {
    PopMarker,
    InsertMarker(usize, Marker),
    PopRemoval,
    /// Removal points to put back at these (ascending) indices.
    InsertRemovals(Vec<(usize, (u32, u32))>),
    Rename(u32, String),
    PopType,
    Replace(Box<CorrectionState>),
}

/// Manual corrections with a linear undo history, like an editor's.
#[derive(Clone, Debug, Default)]
pub struct Corrections {
    state: CorrectionState,
    /// Applied actions and their inverses; `cursor` of them are in effect.
    history: Vec<(Action, Undo)>,
    cursor: usize,
}

/// The corrected count for one label image, see [`Corrections::tally`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Objects found by the analysis.
    pub automatic: usize,
    /// Distinct detected objects under a removal point.
    pub removed: usize,
    /// Type-1 markers not lying on a kept detected object.
    pub added: usize,
    /// `automatic - removed + added`.
    pub total: usize,
    /// Removal points on background (or outside the image): their object is gone after a
    /// re-analysis, so they no longer apply.
    pub stale_removals: Vec<(u32, u32)>,
    /// (type id, name, count) per type; type 1 counts `total`, the others their markers.
    pub per_type: Vec<(u32, String, usize)>,
    /// Labels of the removed objects, ascending, so a view can draw them differently.
    pub removed_labels: Vec<u32>,
    /// Indices of type-1 markers lying on a kept detected object: already counted by the
    /// analysis, so not counted again.
    pub covered_markers: Vec<usize>,
}

/// The label under pixel (x, y) if it is an object of `1..=count`, else `None`.
fn object_at(labels: &[u32], width: u32, height: u32, count: usize, x: u32, y: u32) -> Option<u32> {
    if x >= width || y >= height {
        return None;
    }
    let l = labels[y as usize * width as usize + x as usize];
    (l != 0 && l as usize <= count).then_some(l)
}

fn check_size(labels: &[u32], width: u32, height: u32) {
    assert_eq!(
        labels.len(),
        width as usize * height as usize,
        "label image size mismatch"
    );
}

impl Corrections {
    /// No corrections, the default types, an empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Corrections starting from `state`, with an empty history.
    pub fn from_state(state: CorrectionState) -> Self {
        Corrections {
            state,
            history: Vec::new(),
            cursor: 0,
        }
    }

    /// The current data.
    pub fn state(&self) -> &CorrectionState {
        &self.state
    }

    /// The markers, in placement order.
    pub fn markers(&self) -> &[Marker] {
        &self.state.markers
    }

    /// The marker types, in ascending id order.
    pub fn types(&self) -> &[MarkerType] {
        &self.state.types
    }

    /// The stored removal points.
    pub fn removals(&self) -> &[(u32, u32)] {
        &self.state.removals
    }

    /// Whether [`Self::undo`] would do something.
    pub fn can_undo(&self) -> bool {
        self.cursor > 0
    }

    /// Whether [`Self::redo`] would do something.
    pub fn can_redo(&self) -> bool {
        self.cursor < self.history.len()
    }

    /// Applies `action` and records it, dropping any redo tail. Returns false (and records
    /// nothing) when the action changes nothing: an unknown type or index, a rename to the
    /// same name, a restore of points that are not stored.
    pub fn apply(&mut self, action: Action) -> bool {
        match self.perform(&action) {
            Some(undo) => {
                self.history.truncate(self.cursor);
                self.history.push((action, undo));
                self.cursor += 1;
                true
            }
            None => false,
        }
    }

    /// Takes back the last applied action; false when there is none.
    pub fn undo(&mut self) -> bool {
        if self.cursor == 0 {
            return false;
        }
        self.cursor -= 1;
        let undo = self.history[self.cursor].1.clone();
        let s = &mut self.state;
        match undo {
            Undo::PopMarker => {
                s.markers.pop();
            }
            Undo::InsertMarker(i, m) => s.markers.insert(i, m),
            Undo::PopRemoval => {
                s.removals.pop();
            }
            Undo::InsertRemovals(list) => {
                for (i, p) in list {
                    s.removals.insert(i, p);
                }
            }
            Undo::Rename(id, name) => {
                if let Some(t) = s.types.iter_mut().find(|t| t.id == id) {
                    t.name = name;
                }
            }
            Undo::PopType => {
                s.types.pop();
            }
            Undo::Replace(old) => self.state = *old,
        }
        true
    }

    /// Applies again the last undone action; false when there is none.
    pub fn redo(&mut self) -> bool {
        if self.cursor == self.history.len() {
            return false;
        }
        let action = self.history[self.cursor].0.clone();
        // The state is exactly what it was when the action was first applied, so it succeeds
        // again and yields the same inverse.
        if let Some(undo) = self.perform(&action) {
            self.history[self.cursor].1 = undo;
        }
        self.cursor += 1;
        true
    }

    /// Changes the state; returns the inverse, or `None` when nothing changes.
    fn perform(&mut self, action: &Action) -> Option<Undo> {
        let s = &mut self.state;
        match action {
            Action::AddMarker(m) => s.types.iter().any(|t| t.id == m.type_id).then(|| {
                s.markers.push(*m);
                Undo::PopMarker
            }),
            Action::RemoveMarker(i) => {
                (*i < s.markers.len()).then(|| Undo::InsertMarker(*i, s.markers.remove(*i)))
            }
            Action::RemoveObject { x, y } => {
                s.removals.push((*x, *y));
                Some(Undo::PopRemoval)
            }
            Action::Restore(points) => {
                let mut keep = vec![true; s.removals.len()];
                for p in points {
                    if let Some(i) = (0..s.removals.len()).find(|&i| keep[i] && s.removals[i] == *p)
                    {
                        keep[i] = false;
                    }
                }
                let gone: Vec<(usize, (u32, u32))> = (0..s.removals.len())
                    .filter(|&i| !keep[i])
                    .map(|i| (i, s.removals[i]))
                    .collect();
                if gone.is_empty() {
                    return None;
                }
                let mut k = keep.iter();
                s.removals.retain(|_| k.next().copied().unwrap_or(true));
                Some(Undo::InsertRemovals(gone))
            }
            Action::RenameType { id, name } => {
                let t = s.types.iter_mut().find(|t| t.id == *id)?;
                (t.name != *name)
                    .then(|| Undo::Rename(*id, std::mem::replace(&mut t.name, name.clone())))
            }
            Action::AddType { name } => {
                let id = s
                    .types
                    .iter()
                    .map(|t| t.id)
                    .max()
                    .unwrap_or(0)
                    .checked_add(1)?;
                s.types.push(MarkerType {
                    id,
                    name: name.clone(),
                });
                Some(Undo::PopType)
            }
            Action::ImportReplace(new) => {
                let mut new = (**new).clone();
                new.types.sort_by_key(|t| t.id);
                (new != *s).then(|| Undo::Replace(Box::new(std::mem::replace(s, new))))
            }
        }
    }

    /// The [`Action::Restore`] that restores the removed object under (x, y): every removal
    /// point lying on the same object. `None` when (x, y) is not on a removed object.
    ///
    /// # Panics
    /// If `labels.len() != width * height`.
    pub fn restore_at(
        &self,
        labels: &[u32],
        width: u32,
        height: u32,
        x: u32,
        y: u32,
    ) -> Option<Action> {
        check_size(labels, width, height);
        let count = usize::MAX;
        let l = object_at(labels, width, height, count, x, y)?;
        let points: Vec<(u32, u32)> = self
            .state
            .removals
            .iter()
            .copied()
            .filter(|&(px, py)| object_at(labels, width, height, count, px, py) == Some(l))
            .collect();
        (!points.is_empty()).then_some(Action::Restore(points))
    }

    /// The [`Action::Restore`] that forgets the stale removal points of a tally, if any.
    pub fn forget_stale(&self, tally: &Tally) -> Option<Action> {
        (!tally.stale_removals.is_empty()).then(|| Action::Restore(tally.stale_removals.clone()))
    }

    /// The marker nearest to image point (x, y) within `radius`, measured to the marker's pixel
    /// centre (x + 0.5, y + 0.5); on a tie the later (drawn on top) one.
    pub fn marker_near(&self, x: f64, y: f64, radius: f64) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (i, m) in self.state.markers.iter().enumerate() {
            let dx = m.x as f64 + 0.5 - x;
            let dy = m.y as f64 + 0.5 - y;
            let d2 = dx * dx + dy * dy;
            if d2 <= radius * radius && best.is_none_or(|(_, b)| d2 <= b) {
                best = Some((i, d2));
            }
        }
        best.map(|(i, _)| i)
    }

    /// The corrected count on a label image (0 background, objects `1..=count`, row-major).
    ///
    /// An object is removed when any removal point lies on it. A type-1 marker counts as added
    /// unless it lies on a kept object (then the analysis already counts it: covered). Labels
    /// above `count` are treated as background.
    ///
    /// # Panics
    /// If `labels.len() != width * height`.
    pub fn tally(&self, labels: &[u32], width: u32, height: u32, count: usize) -> Tally {
        check_size(labels, width, height);
        let s = &self.state;
        let mut removed_flag = vec![false; count + 1];
        let mut stale_removals = Vec::new();
        for &(x, y) in &s.removals {
            match object_at(labels, width, height, count, x, y) {
                Some(l) => removed_flag[l as usize] = true,
                None => stale_removals.push((x, y)),
            }
        }
        let removed_labels: Vec<u32> = (1..=count as u32)
            .filter(|&l| removed_flag[l as usize])
            .collect();
        let mut covered_markers = Vec::new();
        let mut added = 0;
        for (i, m) in s.markers.iter().enumerate().filter(|(_, m)| m.type_id == 1) {
            match object_at(labels, width, height, count, m.x, m.y) {
                Some(l) if !removed_flag[l as usize] => covered_markers.push(i),
                _ => added += 1,
            }
        }
        let removed = removed_labels.len();
        let total = count - removed + added;
        let per_type = s
            .types
            .iter()
            .map(|t| {
                let n = if t.id == 1 {
                    total
                } else {
                    s.markers.iter().filter(|m| m.type_id == t.id).count()
                };
                (t.id, t.name.clone(), n)
            })
            .collect();
        Tally {
            automatic: count,
            removed,
            added,
            total,
            stale_removals,
            per_type,
            removed_labels,
            covered_markers,
        }
    }
}

/// One representative pixel per object `1..=count`: its rounded-down centroid when that pixel
/// lies on the object, else its first pixel in raster order; `None` for an empty label.
///
/// # Panics
/// If `labels.len() != width * height`.
pub fn object_points(
    labels: &[u32],
    width: u32,
    height: u32,
    count: usize,
) -> Vec<Option<(u32, u32)>> {
    check_size(labels, width, height);
    let mut first: Vec<Option<(u32, u32)>> = vec![None; count + 1];
    let mut sum = vec![(0u64, 0u64, 0u64); count + 1];
    for (i, &l) in labels.iter().enumerate() {
        if l == 0 || l as usize > count {
            continue;
        }
        let (x, y) = ((i % width as usize) as u32, (i / width as usize) as u32);
        first[l as usize].get_or_insert((x, y));
        let a = &mut sum[l as usize];
        a.0 += x as u64;
        a.1 += y as u64;
        a.2 += 1;
    }
    (1..=count)
        .map(|l| {
            let f = first[l]?;
            let (sx, sy, n) = sum[l];
            // floor(mean + 0.5): ImageJ's centroid (pixel centres at +0.5), rounded down.
            let c = (
                ((2 * sx + n) / (2 * n)) as u32,
                ((2 * sy + n) / (2 * n)) as u32,
            );
            let on = object_at(labels, width, height, count, c.0, c.1) == Some(l as u32);
            Some(if on { c } else { f })
        })
        .collect()
}

mod xml;

pub use xml::{CellCounterFile, export_xml, import, parse_xml, to_xml};

#[cfg(test)]
mod tests {
    use super::*;

    fn mk(x: u32, y: u32, type_id: u32) -> Action {
        Action::AddMarker(Marker { x, y, type_id })
    }

    /// 5x3, three objects.
    const LABELS: [u32; 15] = [
        1, 1, 0, 2, 2, //
        0, 0, 0, 2, 0, //
        3, 0, 0, 0, 0,
    ];

    fn corrected() -> Corrections {
        let mut c = Corrections::new();
        assert!(c.apply(Action::RemoveObject { x: 4, y: 0 })); // object 2
        assert!(c.apply(Action::RemoveObject { x: 4, y: 2 })); // background: stale
        assert!(c.apply(mk(2, 2, 1))); // background: added
        assert!(c.apply(mk(0, 0, 1))); // on kept object 1: covered
        assert!(c.apply(mk(1, 1, 2))); // another type
        assert!(c.apply(mk(3, 1, 1))); // on removed object 2: added
        c
    }

    #[test]
    fn tally_on_a_literal_label_image() {
        let t = corrected().tally(&LABELS, 5, 3, 3);
        assert_eq!(
            t,
            Tally {
                automatic: 3,
                removed: 1,
                added: 2,
                total: 4,
                stale_removals: vec![(4, 2)],
                per_type: vec![(1, "Cell".into(), 4), (2, "Type 2".into(), 1)],
                removed_labels: vec![2],
                covered_markers: vec![1],
            }
        );
    }

    #[test]
    fn two_removal_points_on_one_object_remove_it_once() {
        let mut c = Corrections::new();
        c.apply(Action::RemoveObject { x: 3, y: 0 });
        c.apply(Action::RemoveObject { x: 3, y: 1 });
        let t = c.tally(&LABELS, 5, 3, 3);
        assert_eq!((t.removed, t.total, t.removed_labels), (1, 2, vec![2]));
    }

    #[test]
    fn corrections_survive_a_changed_label_image() {
        // Object 2 vanished; a new object appeared under the added marker at (2, 2).
        let labels = [
            1, 1, 0, 0, 0, //
            0, 0, 0, 0, 0, //
            2, 0, 3, 3, 0,
        ];
        let t = corrected().tally(&labels, 5, 3, 3);
        assert_eq!(t.stale_removals, vec![(4, 0), (4, 2)]);
        assert_eq!(t.removed_labels, Vec::<u32>::new());
        assert_eq!(t.covered_markers, vec![0, 1]);
        assert_eq!((t.removed, t.added, t.total), (0, 1, 4));
        // A smaller image: everything outside is background.
        let t = corrected().tally(&[1, 0, 0, 0], 2, 2, 1);
        assert_eq!(
            (t.removed, t.added, t.total, t.stale_removals.len()),
            (0, 2, 3, 2)
        );
    }

    #[test]
    fn undo_redo_and_the_redo_tail() {
        let mut c = Corrections::new();
        assert!(!c.can_undo() && !c.can_redo() && !c.undo() && !c.redo());
        c.apply(mk(1, 1, 1));
        c.apply(mk(2, 2, 1));
        c.apply(Action::RemoveMarker(0));
        assert_eq!(
            c.markers(),
            &[Marker {
                x: 2,
                y: 2,
                type_id: 1
            }]
        );
        assert!(c.undo());
        assert_eq!(c.markers().len(), 2);
        assert_eq!(
            c.markers()[0],
            Marker {
                x: 1,
                y: 1,
                type_id: 1
            }
        );
        assert!(c.undo());
        assert!(c.can_redo());
        assert!(c.redo());
        assert_eq!(c.markers().len(), 2);
        // A new action drops the redo tail (the RemoveMarker).
        c.apply(mk(3, 3, 2));
        assert!(!c.can_redo());
        assert_eq!(c.markers().len(), 3);
        assert!(c.undo() && c.undo() && c.undo());
        assert!(c.markers().is_empty() && !c.can_undo());
        assert!(c.redo() && c.redo() && c.redo() && !c.redo());
        assert_eq!(c.markers().len(), 3);
    }

    #[test]
    fn no_op_actions_are_refused_and_not_recorded() {
        let mut c = Corrections::new();
        assert!(!c.apply(mk(0, 0, 9))); // unknown type
        assert!(!c.apply(Action::RemoveMarker(0)));
        assert!(!c.apply(Action::RenameType {
            id: 7,
            name: "x".into()
        }));
        assert!(!c.apply(Action::RenameType {
            id: 1,
            name: "Cell".into()
        }));
        assert!(!c.apply(Action::Restore(vec![(1, 1)])));
        assert!(!c.apply(Action::ImportReplace(Box::default())));
        assert!(!c.can_undo());
    }

    #[test]
    fn types_rename_add_and_import_replace_undo() {
        let mut c = Corrections::new();
        c.apply(Action::RenameType {
            id: 2,
            name: "Glia".into(),
        });
        c.apply(Action::AddType {
            name: "Axon".into(),
        });
        assert_eq!(
            c.types(),
            &[
                MarkerType {
                    id: 1,
                    name: "Cell".into()
                },
                MarkerType {
                    id: 2,
                    name: "Glia".into()
                },
                MarkerType {
                    id: 3,
                    name: "Axon".into()
                },
            ]
        );
        assert!(c.apply(mk(0, 0, 3)));
        let before = c.state().clone();
        assert!(c.apply(Action::ImportReplace(Box::default())));
        assert_eq!(c.state(), &CorrectionState::default());
        c.undo();
        assert_eq!(c.state(), &before);
        c.undo();
        c.undo();
        assert_eq!(c.types().len(), 2);
        c.undo();
        assert_eq!(c.types()[1].name, "Type 2");
    }

    #[test]
    fn restore_at_and_forget_stale() {
        let mut c = corrected();
        c.apply(Action::RemoveObject { x: 3, y: 1 }); // a second point on object 2
        assert_eq!(c.restore_at(&LABELS, 5, 3, 0, 0), None); // object 1 is not removed
        assert_eq!(c.restore_at(&LABELS, 5, 3, 2, 2), None); // background
        let a = c.restore_at(&LABELS, 5, 3, 3, 0).unwrap();
        assert_eq!(a, Action::Restore(vec![(4, 0), (3, 1)]));
        assert!(c.apply(a));
        assert_eq!(c.removals(), &[(4, 2)]);
        let t = c.tally(&LABELS, 5, 3, 3);
        assert_eq!((t.removed, t.total), (0, 4));
        let f = c.forget_stale(&t).unwrap();
        assert!(c.apply(f));
        assert!(c.removals().is_empty());
        assert_eq!(c.forget_stale(&c.tally(&LABELS, 5, 3, 3)), None);
        c.undo();
        c.undo();
        assert_eq!(c.removals(), &[(4, 0), (4, 2), (3, 1)]);
    }

    #[test]
    fn marker_near_picks_the_nearest_within_the_radius() {
        let mut c = Corrections::new();
        c.apply(mk(10, 10, 1));
        c.apply(mk(14, 10, 2));
        c.apply(mk(10, 10, 1));
        assert_eq!(c.marker_near(10.5, 10.5, 1.0), Some(2)); // tie: the later one
        assert_eq!(c.marker_near(13.0, 10.5, 3.0), Some(1));
        assert_eq!(c.marker_near(12.5, 10.5, 1.9), None);
        assert_eq!(c.marker_near(12.5, 10.5, 2.0), Some(2));
    }

    #[test]
    fn object_points_prefer_the_centroid_inside() {
        // Object 1 is a C whose centroid pixel (1, 1) is background; object 2 a bar.
        let labels = [
            1, 1, 1, 0, //
            1, 0, 0, 0, //
            1, 1, 1, 0, //
            0, 2, 2, 2,
        ];
        assert_eq!(
            object_points(&labels, 4, 4, 2),
            vec![Some((0, 0)), Some((2, 3))]
        );
    }

    /// As Fiji's WriteXML writes it (CRLF, indentation, Name, MarkerZ).
    const FIJI: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<CellCounter_Marker_File>\r\n <Image_Properties>\r\n     <Image_Filename>slice 03.tif</Image_Filename>\r\n </Image_Properties>\r\n <Marker_Data>\r\n     <Current_Type>2</Current_Type>\r\n     <Marker_Type>\r\n         <Type>1</Type>\r\n         <Name>Type 1</Name>\r\n         <Marker>\r\n             <MarkerX>0</MarkerX>\r\n             <MarkerY>0</MarkerY>\r\n             <MarkerZ>1</MarkerZ>\r\n         </Marker>\r\n         <Marker>\r\n             <MarkerX>2</MarkerX>\r\n             <MarkerY>2</MarkerY>\r\n             <MarkerZ>1</MarkerZ>\r\n         </Marker>\r\n     </Marker_Type>\r\n     <Marker_Type>\r\n         <Type>2</Type>\r\n         <Name>Type 2</Name>\r\n         <Marker>\r\n             <MarkerX>1</MarkerX>\r\n             <MarkerY>1</MarkerY>\r\n             <MarkerZ>1</MarkerZ>\r\n         </Marker>\r\n     </Marker_Type>\r\n     <Marker_Type>\r\n         <Type>3</Type>\r\n         <Name>Type 3</Name>\r\n     </Marker_Type>\r\n </Marker_Data>\r\n</CellCounter_Marker_File>\r\n";

    #[test]
    fn reads_a_fiji_file() {
        let f = parse_xml(FIJI).unwrap();
        assert_eq!(f.image_name.as_deref(), Some("slice 03.tif"));
        assert_eq!(
            f.types,
            vec![
                (1, Some("Type 1".into()), vec![(0, 0), (2, 2)]),
                (2, Some("Type 2".into()), vec![(1, 1)]),
                (3, Some("Type 3".into()), vec![]),
            ]
        );
        // On LABELS: (0, 0) keeps object 1, (2, 2) is an added marker, objects 2 and 3 are removed.
        let c = import(&f, &LABELS, 5, 3);
        assert_eq!(c.removals(), &[(3, 0), (0, 2)]);
        let t = c.tally(&LABELS, 5, 3, 3);
        assert_eq!((t.removed, t.added, t.total), (2, 1, 2));
        assert_eq!(
            t.per_type,
            vec![
                (1, "Type 1".into(), 2),
                (2, "Type 2".into(), 1),
                (3, "Type 3".into(), 0)
            ]
        );
    }

    #[test]
    fn reads_old_and_odd_files() {
        // No Name, no MarkerZ, a comment, attributes, entities, single quotes, a self-closing tag.
        let old = "<!-- old --><CellCounter_Marker_File a='1'><Image_Properties><Image_Filename>a&amp;b &lt;c&gt;&#65;&#x42;&bogus;</Image_Filename><Other/></Image_Properties>\n<Marker_Data><Current_Type>1</Current_Type><Marker_Type><Type> 2 </Type><Marker><MarkerX>5</MarkerX><MarkerY x=\"a>b\">6</MarkerY></Marker></Marker_Type></Marker_Data></CellCounter_Marker_File>";
        let f = parse_xml(old).unwrap();
        assert_eq!(f.image_name.as_deref(), Some("a&b <c>AB&bogus;"));
        assert_eq!(f.types, vec![(2, None, vec![(5, 6)])]);
        let c = import(&f, &[0; 4], 2, 2);
        assert_eq!(c.types()[1].name, "Type 2");
        assert_eq!(
            c.markers(),
            &[Marker {
                x: 5,
                y: 6,
                type_id: 2
            }]
        );
    }

    #[test]
    fn empty_marker_files_are_valid() {
        let none = "<?xml version=\"1.0\"?><CellCounter_Marker_File><Marker_Data></Marker_Data></CellCounter_Marker_File>";
        assert_eq!(parse_xml(none), Ok(CellCounterFile::default()));
        let f = parse_xml("<CellCounter_Marker_File><Marker_Data><Marker_Type><Type>1</Type></Marker_Type></Marker_Data></CellCounter_Marker_File>").unwrap();
        assert_eq!(f.types, vec![(1, None, vec![])]);
        // Importing no markers removes every detected object.
        let t = import(&f, &LABELS, 5, 3).tally(&LABELS, 5, 3, 3);
        assert_eq!((t.removed, t.total), (3, 0));
    }

    #[test]
    fn broken_files_say_why() {
        let cases = [
            ("", "no root element"),
            ("hello", "text outside the root element"),
            ("<html></html>", "not a Cell Counter marker file"),
            (
                "<CellCounter_Marker_File><Marker_Data>",
                "truncated file: <Marker_Data> is not closed",
            ),
            (
                "<CellCounter_Marker_File></Marker_Data>",
                "</Marker_Data> closes <CellCounter_Marker_File>",
            ),
            ("<CellCounter_Marker_File><!-- x", "unterminated comment"),
            ("<CellCounter_Marker_File", "unterminated tag"),
            (
                "<CellCounter_Marker_File><Marker_Type><Type>1</Type><Marker><MarkerX>1</MarkerX></Marker></Marker_Type></CellCounter_Marker_File>",
                "a <Marker> without <MarkerX> and <MarkerY>",
            ),
            (
                "<CellCounter_Marker_File><Marker_Type><Type>1</Type><Marker><MarkerX>-3</MarkerX></Marker></Marker_Type></CellCounter_Marker_File>",
                "MarkerX out of range: -3",
            ),
            (
                "<CellCounter_Marker_File><Marker_Type><Type>one</Type></Marker_Type></CellCounter_Marker_File>",
                "Type is not a pixel coordinate: \"one\"",
            ),
            (
                "<CellCounter_Marker_File><Marker_Type></Marker_Type></CellCounter_Marker_File>",
                "a <Marker_Type> without <Type>",
            ),
        ];
        for (text, why) in cases {
            let e = parse_xml(text).unwrap_err();
            assert!(e.contains(why), "{text:?}: {e}");
        }
    }

    #[test]
    fn xml_round_trip_keeps_the_tally() {
        let mut c = corrected();
        c.apply(Action::RenameType {
            id: 2,
            name: "Glia <&> \"x\"".into(),
        });
        let xml = export_xml("im<1>.tif", &LABELS, 5, 3, 3, &c);
        let f = parse_xml(&xml).unwrap();
        assert_eq!(f.image_name.as_deref(), Some("im<1>.tif"));
        // Type 1: kept objects 1 (centroid pixel (1, 0)) and 3, then the added markers.
        assert_eq!(
            f.types[0],
            (1, Some("Cell".into()), vec![(1, 0), (0, 2), (2, 2), (3, 1)])
        );
        let back = import(&f, &LABELS, 5, 3);
        let (a, b) = (c.tally(&LABELS, 5, 3, 3), back.tally(&LABELS, 5, 3, 3));
        assert_eq!((a.total, a.per_type.clone()), (b.total, b.per_type.clone()));
        assert_eq!(b.per_type[1].1, "Glia <&> \"x\"");
        // The stale removal and the covered marker are gone, and "object 2 removed plus one
        // marker on it" reads back as "object 2 kept": the same count in normal form.
        assert_eq!((b.removed, b.added, b.stale_removals.len()), (0, 1, 0));
    }
}

// proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use crate::imaging::{
        BitMask, Connectivity,
        label::{label, label_image},
    };
    use proptest::prelude::*;

    fn label_case() -> impl Strategy<Value = (u32, u32, Vec<u32>, usize)> {
        (1u32..12, 1u32..12).prop_flat_map(|(w, h)| {
            proptest::collection::vec(any::<bool>(), (w * h) as usize).prop_map(move |bits| {
                let comps = label(&BitMask::from_bools(w, h, &bits), Connectivity::Eight);
                (w, h, label_image(&comps), comps.count as usize)
            })
        })
    }

    fn action(w: u32, h: u32) -> impl Strategy<Value = Action> {
        let (w, h) = (w + 2, h + 2); // a few points outside the image too
        prop_oneof![
            4 => (0..w, 0..h, 1u32..4).prop_map(|(x, y, type_id)| Action::AddMarker(Marker { x, y, type_id })),
            1 => (0usize..6).prop_map(Action::RemoveMarker),
            3 => (0..w, 0..h).prop_map(|(x, y)| Action::RemoveObject { x, y }),
            1 => (0..w, 0..h).prop_map(|p| Action::Restore(vec![p])),
            1 => (1u32..4, "[a-z<&]{0,4}").prop_map(|(id, name)| Action::RenameType { id, name }),
            1 => "[a-z]{0,4}".prop_map(|name| Action::AddType { name }),
        ]
    }

    fn case() -> impl Strategy<Value = ((u32, u32, Vec<u32>, usize), Vec<Action>)> {
        label_case().prop_flat_map(|lc| {
            let (w, h) = (lc.0, lc.1);
            (Just(lc), proptest::collection::vec(action(w, h), 0..25))
        })
    }

    proptest! {
        #[test]
        fn export_import_keeps_the_count((lc, actions) in case()) {
            let (w, h, labels, count) = lc;
            let mut c = Corrections::new();
            for a in actions {
                c.apply(a);
            }
            let before = c.tally(&labels, w, h, count);
            let f = parse_xml(&export_xml("x.tif", &labels, w, h, count, &c)).unwrap();
            let after = import(&f, &labels, w, h).tally(&labels, w, h, count);
            prop_assert_eq!(before.total, after.total);
            prop_assert_eq!(before.per_type, after.per_type);
            prop_assert!(after.stale_removals.is_empty());
            // And importing any file counts exactly its type-1 markers.
            let n1: usize = f.types.iter().filter(|t| t.0 == 1).map(|t| t.2.len()).sum();
            prop_assert_eq!(after.total, n1);
        }

        #[test]
        fn undo_all_then_redo_all((lc, actions) in case()) {
            let mut c = Corrections::new();
            let mut states = vec![c.state().clone()];
            for a in actions {
                if c.apply(a) {
                    states.push(c.state().clone());
                }
            }
            for s in states.iter().rev().skip(1) {
                prop_assert!(c.undo());
                prop_assert_eq!(c.state(), s);
            }
            prop_assert!(!c.can_undo());
            for s in states.iter().skip(1) {
                prop_assert!(c.redo());
                prop_assert_eq!(c.state(), s);
            }
            prop_assert!(!c.can_redo());
            let _ = lc;
        }

        #[test]
        fn tally_matches_a_naive_count((lc, actions) in case()) {
            let (w, h, labels, count) = lc;
            let mut c = Corrections::new();
            for a in actions {
                c.apply(a);
            }
            let t = c.tally(&labels, w, h, count);
            let at = |x: u32, y: u32| if x < w && y < h { labels[(y * w + x) as usize] } else { 0 };
            let mut removed: Vec<u32> = c.removals().iter().map(|&(x, y)| at(x, y)).filter(|&l| l != 0).collect();
            removed.sort_unstable();
            removed.dedup();
            let added = c.markers().iter().filter(|m| m.type_id == 1 && {
                let l = at(m.x, m.y);
                l == 0 || removed.contains(&l)
            }).count();
            prop_assert_eq!(&t.removed_labels, &removed);
            prop_assert_eq!(t.total, count - removed.len() + added);
        }

        #[test]
        fn garbage_never_panics(s in "\\PC{0,200}") {
            let _ = parse_xml(&s);
        }

        #[test]
        fn mangled_files_never_panic(cuts in proptest::collection::vec((0usize..1000, 0usize..8, "[<>/&;!?\\-\\[\\]a-zA-Z_ \"'é0-9]{0,3}"), 1..6)) {
            let mut s = super::tests_support::FIJI_LIKE.to_string();
            for (at, del, ins) in cuts {
                let mut at = at % (s.len() + 1);
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + del).min(s.len());
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                s.replace_range(at..end, &ins);
            }
            if let Ok(f) = parse_xml(&s) {
                let _ = import(&f, &[0, 1, 1, 0], 2, 2);
            }
        }

        #[test]
        fn names_survive_escaping(name in "\\PC{0,20}") {
            let mut c = Corrections::new();
            c.apply(Action::RenameType { id: 2, name: name.clone() });
            let f = parse_xml(&export_xml(&name, &[0], 1, 1, 0, &c)).unwrap();
            prop_assert_eq!(f.image_name.as_deref(), Some(name.trim()));
            prop_assert_eq!(f.types[1].1.as_deref(), Some(name.trim()));
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests_support {
    pub const FIJI_LIKE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<CellCounter_Marker_File>\r\n <Image_Properties>\r\n     <Image_Filename>a&amp;b.tif</Image_Filename>\r\n </Image_Properties>\r\n <!-- c --><Marker_Data>\r\n     <Current_Type>1</Current_Type>\r\n     <Marker_Type>\r\n         <Type>1</Type>\r\n         <Name>Cell</Name>\r\n         <Marker>\r\n             <MarkerX>1</MarkerX>\r\n             <MarkerY>0</MarkerY>\r\n             <MarkerZ>1</MarkerZ>\r\n         </Marker>\r\n     </Marker_Type>\r\n     <Marker_Type><Type>2</Type><Marker><MarkerX>7</MarkerX><MarkerY>9</MarkerY></Marker></Marker_Type>\r\n <![CDATA[x<y]]></Marker_Data>\r\n</CellCounter_Marker_File>\r\n";
}
