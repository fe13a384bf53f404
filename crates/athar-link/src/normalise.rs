//! Names as linkage compares them: the reduction of a name to written forms and
//! cross-script skeletons lives in the domain core ([`athar_model::names`]), where the
//! store's name index can use it too; linkage reads it from here.

pub use athar_model::names::*;
