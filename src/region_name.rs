//! What an AWS region name looks like: shared by the profile, the snapshot, waivers and the
//! Claude Code settings, so it lives below all of them.

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-5`, …
pub fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}
