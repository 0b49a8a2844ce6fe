//! What the page carries and says: the share-link state in the URL fragment, the built-in
//! demos, which remote addresses may be fetched, and the page's wording about the images a link
//! opens. Pure, so the rules and the words are tested natively.

pub mod demos;
pub mod links;
pub mod remote;
pub mod share;
