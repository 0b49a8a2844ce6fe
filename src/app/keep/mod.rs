//! The work kept in the browser between visits: the IndexedDB store ([`store`]) and keeping,
//! restoring and starting fresh ([`session`]).

pub mod session;
pub mod store;
