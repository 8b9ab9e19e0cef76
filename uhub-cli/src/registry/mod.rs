//! The UHub registry itself (not its management API): which host pinned references and facts
//! use (`host`), and the sizes and platforms listings show (`facts`).

pub mod facts;
pub mod host;
