//! `kms-keys-configured`: to be written.

use crate::finding::Finding;
use crate::rules::RuleContext;

pub fn check(_ctx: &RuleContext) -> Vec<Finding> {
    Vec::new()
}
