//! What Claude Code will do with the settings it is given: the files and their precedence
//! (`settings`), and from them which models it calls, from which region, through which URL.
//! Every rule that asks those questions asks this module; none re-derives the answer.

pub mod models;
pub mod redaction;
pub mod settings;
