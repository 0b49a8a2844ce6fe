//! Batch runs: many files counted in the worker pool ([`run`]) and the drawer that picks them and
//! shows the results as they stream in ([`panel`]).

pub mod panel;
pub mod run;
