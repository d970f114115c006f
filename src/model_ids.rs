//! Bedrock model identifiers: inference-profile ids, foundation-model ids, and what Claude
//! model an id names. Shared by the rules and by the collector (which must query
//! GetFoundationModelAvailability with the same foundation-model ids the rules look up).

/// Geography prefixes of system-defined cross-region inference profiles
/// (`us.anthropic.claude-…`, `global.anthropic.claude-…`, …).
pub const GEOGRAPHY_PREFIXES: &[&str] = &["us", "us-gov", "eu", "apac", "global", "jp", "au", "ca"];

/// The id inside an ARN (`arn:aws:bedrock:…:inference-profile/<id>`,
/// `…::foundation-model/<id>`), or the input when it is not an ARN.
pub fn strip_arn(id: &str) -> &str {
    if id.starts_with("arn:") {
        id.rsplit_once('/').map_or(id, |(_, tail)| tail)
    } else {
        id
    }
}

/// The geography prefix of a cross-region inference-profile id, if it has one.
pub fn geography_prefix(id: &str) -> Option<&str> {
    let id = strip_arn(id);
    let (prefix, rest) = id.split_once('.')?;
    (GEOGRAPHY_PREFIXES.contains(&prefix) && !rest.is_empty()).then_some(prefix)
}

/// The foundation-model id a model or inference-profile id routes to:
/// `us.anthropic.claude-haiku-4-5-20251001-v1:0` → `anthropic.claude-haiku-4-5-20251001-v1:0`.
/// A foundation-model id comes back unchanged; ARNs are reduced to their id first. An
/// application-inference-profile ARN has an opaque id that names no model, so it comes back
/// as that id (the rules then report the model's availability as not collected).
pub fn foundation_model_id(id: &str) -> &str {
    let id = strip_arn(id);
    match geography_prefix(id) {
        Some(prefix) => &id[prefix.len() + 1..],
        None => id,
    }
}

/// Whether Bedrock will accept `id` for on-demand Claude invocation as an inference profile:
/// a geography-prefixed system profile id or ARN, or an application-inference-profile ARN.
/// A bare foundation-model id (`anthropic.claude-sonnet-4-5-…`) is not.
pub fn is_inference_profile_id(id: &str) -> bool {
    id.contains(":application-inference-profile/") || geography_prefix(id).is_some()
}

/// The foundation-model ARN of `model_id` in `region`.
pub fn foundation_model_arn(region: &str, model_id: &str) -> String {
    format!(
        "arn:aws:bedrock:{region}::foundation-model/{}",
        foundation_model_id(model_id)
    )
}

/// The inference profile a configured id names: by ARN, or by id (an ARN's id included).
pub fn find_profile<'a>(
    profiles: &'a [crate::snapshot::InferenceProfile],
    configured: &str,
) -> Option<&'a crate::snapshot::InferenceProfile> {
    let wanted = strip_arn(configured);
    profiles
        .iter()
        .find(|p| p.arn == configured || p.id == wanted)
}

/// Region and foundation-model id of a foundation-model ARN:
/// `arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-…-v1:0` →
/// (`us-east-2`, `anthropic.claude-…-v1:0`). Model ids contain `:`, so split at most 5 times.
pub fn foundation_model_location(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (
        Some("arn"),
        Some(_partition),
        Some("bedrock"),
        Some(region),
        Some(_account),
        Some(resource),
    ) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    )
    else {
        return None;
    };
    let model = resource.strip_prefix("foundation-model/")?;
    (!region.is_empty() && !model.is_empty()).then_some((region, model))
}

/// The `aws:RequestedRegion` IAM sees for a request a `global.` profile serves through its
/// region-less foundation-model ARN (Bedrock user guide, *Global cross-Region inference*).
pub const UNSPECIFIED_REGION: &str = "unspecified";

/// Where one entry of a profile's `models[]` serves requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination<'a> {
    /// A foundation-model ARN with a region: requests are served there.
    Region(&'a str),
    /// The region-less ARN `arn:aws:bedrock:::foundation-model/<id>` of a `global.` profile:
    /// requests may be served in any commercial region, and IAM evaluates them with
    /// `aws:RequestedRegion` = `unspecified`.
    AnyRegion,
}

impl Destination<'_> {
    /// The `aws:RequestedRegion` of a request served here.
    pub fn requested_region(&self) -> &str {
        match self {
            Destination::Region(region) => region,
            Destination::AnyRegion => UNSPECIFIED_REGION,
        }
    }
}

/// Destination and foundation-model id of an entry of a profile's `models[]`: a regional
/// foundation-model ARN, or the region-less one of a `global.` profile. `None` for anything
/// else.
pub fn foundation_model_destination(arn: &str) -> Option<(Destination<'_>, &str)> {
    if let Some(model) = arn
        .strip_prefix("arn:")
        .and_then(|rest| rest.split_once(':'))
        .and_then(|(_partition, rest)| rest.strip_prefix("bedrock:::foundation-model/"))
    {
        return (!model.is_empty()).then_some((Destination::AnyRegion, model));
    }
    foundation_model_location(arn).map(|(region, model)| (Destination::Region(region), model))
}

/// The region-less foundation-model ARN a `global.` profile routes through.
pub fn regionless_foundation_model_arn(model_id: &str) -> String {
    format!(
        "arn:aws:bedrock:::foundation-model/{}",
        foundation_model_id(model_id)
    )
}

/// Whether `profile` serves requests in any commercial region (its `models[]` holds the
/// region-less ARN of a `global.` profile).
pub fn routes_to_any_region(profile: &crate::snapshot::InferenceProfile) -> bool {
    profile.model_arns.iter().any(|arn| {
        matches!(
            foundation_model_destination(arn),
            Some((Destination::AnyRegion, _))
        )
    })
}

/// The other regions (and the model there) that `profile` sends requests to besides `region`:
/// a cross-region profile needs model access in each of them.
pub fn other_destinations<'a>(
    profile: &'a crate::snapshot::InferenceProfile,
    region: &'a str,
) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    profile
        .model_arns
        .iter()
        .filter_map(|arn| foundation_model_location(arn))
        .filter(move |(destination, _)| *destination != region)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaudeFamily {
    Haiku,
    Sonnet,
    Opus,
}

impl ClaudeFamily {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaudeFamily::Haiku => "Haiku",
            ClaudeFamily::Sonnet => "Sonnet",
            ClaudeFamily::Opus => "Opus",
        }
    }
}

/// A Claude model as named by its id: family and version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaudeModel {
    pub family: ClaudeFamily,
    /// `(major, minor)`: `claude-haiku-4-5-…` → (4, 5), `claude-3-haiku-…` → (3, 0).
    pub version: Option<(u32, u32)>,
}

/// Reads the family and version from any Claude model or profile id. Both naming schemes
/// occur: `claude-3-5-haiku-20241022` (version first) and `claude-haiku-4-5-20251001`
/// (family first). Version parts are the short numbers; the 8-digit date is not one.
pub fn claude_model(id: &str) -> Option<ClaudeModel> {
    let id = strip_arn(id).to_ascii_lowercase();
    let (_, name) = id.split_once("claude-")?;
    let mut family = None;
    let mut numbers = Vec::new();
    for token in name.split(['-', ':']) {
        match token {
            "haiku" => family = Some(ClaudeFamily::Haiku),
            "sonnet" => family = Some(ClaudeFamily::Sonnet),
            "opus" => family = Some(ClaudeFamily::Opus),
            t if !t.is_empty() && t.len() <= 2 && t.chars().all(|c| c.is_ascii_digit()) => {
                if let Ok(n) = t.parse::<u32>() {
                    numbers.push(n);
                }
            }
            // The date, `v1`, and the `:0` revision end the name.
            t if t.len() == 8 && t.chars().all(|c| c.is_ascii_digit()) => break,
            t if t.starts_with('v') && t[1..].chars().all(|c| c.is_ascii_digit()) => break,
            _ => {}
        }
    }
    let version = numbers
        .first()
        .map(|&major| (major, numbers.get(1).copied().unwrap_or(0)));
    Some(ClaudeModel {
        family: family?,
        version,
    })
}

/// One of the two models Claude Code uses, as the profile configures it.
#[derive(Debug, Clone, Copy)]
pub struct ModelRole<'a> {
    /// `primary` or `fast`: also the resource-name suffix in findings.
    pub role: &'static str,
    /// The Claude Code environment variable that selects it.
    pub env_var: &'static str,
    /// The profile key that configures it.
    pub profile_key: &'static str,
    pub model_id: &'a str,
    /// Where the model comes from (a profile key, or a setting and its file), for evidence.
    pub origin: &'a str,
}

/// The primary (Sonnet/Opus) and fast (Haiku) models of the rollout profile.
pub fn model_roles(profile: &crate::profile::Profile) -> [ModelRole<'_>; 2] {
    [
        ModelRole {
            role: "primary",
            env_var: "ANTHROPIC_MODEL",
            profile_key: "rollout.primary_model",
            model_id: &profile.rollout.primary_model,
            origin: "rollout.primary_model in the rollout profile",
        },
        ModelRole {
            role: "fast",
            env_var: "ANTHROPIC_DEFAULT_HAIKU_MODEL",
            profile_key: "rollout.fast_model",
            model_id: &profile.rollout.fast_model,
            origin: "rollout.fast_model in the rollout profile",
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foundation_model_arns_give_region_and_model() {
        assert_eq!(
            foundation_model_location(
                "arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"
            ),
            Some(("us-east-2", "anthropic.claude-haiku-4-5-20251001-v1:0"))
        );
        assert_eq!(
            foundation_model_location("arn:aws:bedrock:us-east-1:111122223333:inference-profile/x"),
            None
        );
        assert_eq!(foundation_model_location("anthropic.claude-x"), None);
    }

    #[test]
    fn strips_geography_prefixes_only() {
        assert_eq!(
            foundation_model_id("us.anthropic.claude-haiku-4-5-20251001-v1:0"),
            "anthropic.claude-haiku-4-5-20251001-v1:0"
        );
        assert_eq!(
            foundation_model_id("us-gov.anthropic.claude-3-haiku-20240307-v1:0"),
            "anthropic.claude-3-haiku-20240307-v1:0"
        );
        assert_eq!(
            foundation_model_id("global.anthropic.claude-sonnet-4-5-20250929-v1:0"),
            "anthropic.claude-sonnet-4-5-20250929-v1:0"
        );
        assert_eq!(
            foundation_model_id("anthropic.claude-sonnet-4-5-20250929-v1:0"),
            "anthropic.claude-sonnet-4-5-20250929-v1:0"
        );
        assert_eq!(
            foundation_model_id(
                "arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-opus-4-1-20250805-v1:0"
            ),
            "anthropic.claude-opus-4-1-20250805-v1:0"
        );
    }

    #[test]
    fn recognises_inference_profile_ids() {
        assert!(is_inference_profile_id(
            "apac.anthropic.claude-sonnet-4-20250514-v1:0"
        ));
        assert!(is_inference_profile_id(
            "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3"
        ));
        assert!(!is_inference_profile_id("anthropic.claude-sonnet-4-5"));
        assert!(!is_inference_profile_id(
            "anthropic.claude-3-5-haiku-20241022-v1:0"
        ));
    }

    #[test]
    fn reads_family_and_version_in_both_naming_schemes() {
        let m = claude_model("us.anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
        assert_eq!((m.family, m.version), (ClaudeFamily::Haiku, Some((4, 5))));
        let m = claude_model("us.anthropic.claude-3-5-haiku-20241022-v1:0").unwrap();
        assert_eq!((m.family, m.version), (ClaudeFamily::Haiku, Some((3, 5))));
        let m = claude_model("anthropic.claude-3-haiku-20240307-v1:0").unwrap();
        assert_eq!((m.family, m.version), (ClaudeFamily::Haiku, Some((3, 0))));
        let m = claude_model("us.anthropic.claude-sonnet-4-20250514-v1:0").unwrap();
        assert_eq!((m.family, m.version), (ClaudeFamily::Sonnet, Some((4, 0))));
        let m = claude_model("us.anthropic.claude-opus-4-1-20250805-v1:0").unwrap();
        assert_eq!((m.family, m.version), (ClaudeFamily::Opus, Some((4, 1))));
        assert_eq!(claude_model("amazon.nova-pro-v1:0"), None);
    }

    fn version_of(id: &str) -> Option<(u32, u32)> {
        claude_model(id).and_then(|m| m.version)
    }

    #[test]
    fn the_date_or_a_v_tag_ends_the_name_and_nothing_after_them_is_a_version() {
        // Dateless ids (`anthropic.claude-opus-4-6-v1`) exist: their revision is not a minor
        // version.
        assert_eq!(version_of("anthropic.claude-opus-4-v1:2"), Some((4, 0)));
        assert_eq!(version_of("anthropic.claude-opus-4-6-v1"), Some((4, 6)));
        assert_eq!(version_of("claude-sonnet-4-20250514-1"), Some((4, 0)));
    }

    #[test]
    fn other_words_and_longer_numbers_are_skipped_wherever_they_stand() {
        // A word of eight letters, a word starting with `v`, a number that is not a date and
        // an empty part (`--`) neither end the name nor count as version parts.
        assert_eq!(version_of("claude-sonnet-research-4-5-v1:0"), Some((4, 5)));
        assert_eq!(version_of("claude-sonnet-vision-4-5-v1:0"), Some((4, 5)));
        assert_eq!(version_of("claude-sonnet-1000-4-5-v1:0"), Some((4, 5)));
        assert_eq!(version_of("claude-sonnet--4-5-v1:0"), Some((4, 5)));
        let model = claude_model("claude-preview-opus-4-1").expect("a Claude model");
        assert_eq!(
            (model.family, model.version),
            (ClaudeFamily::Opus, Some((4, 1)))
        );
    }

    fn profile(id: &str, arn: &str, model_arns: &[&str]) -> crate::snapshot::InferenceProfile {
        crate::snapshot::InferenceProfile {
            id: id.into(),
            arn: arn.into(),
            name: id.into(),
            status: "ACTIVE".into(),
            profile_type: "SYSTEM_DEFINED".into(),
            model_arns: model_arns.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn a_geography_prefix_needs_a_known_prefix_and_something_after_it() {
        assert_eq!(geography_prefix("eu.anthropic.claude-x"), Some("eu"));
        assert_eq!(geography_prefix("us."), None);
        assert_eq!(geography_prefix("anthropic.claude-x"), None);
        assert_eq!(geography_prefix("nowhere"), None);
    }

    #[test]
    fn foundation_model_arns_need_a_region_and_a_model() {
        assert_eq!(
            foundation_model_location("arn:aws:bedrock:::foundation-model/anthropic.claude-x"),
            None
        );
        assert_eq!(
            foundation_model_location("arn:aws:bedrock:us-east-1::foundation-model/"),
            None
        );
        assert_eq!(
            foundation_model_arn("eu-west-1", "eu.anthropic.claude-x-v1:0"),
            "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-x-v1:0"
        );
    }

    #[test]
    fn finds_the_profile_named_by_id_or_arn_and_its_other_destinations() {
        let sonnet = profile(
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            &[
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
                "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
            ],
        );
        let app = profile(
            "a1b2c3",
            "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/a1b2c3",
            &[],
        );
        let profiles = [sonnet.clone(), app.clone()];
        assert_eq!(find_profile(&profiles, &sonnet.id), Some(&sonnet));
        assert_eq!(find_profile(&profiles, &app.arn), Some(&app));
        assert_eq!(find_profile(&profiles, &app.id), Some(&app));
        assert_eq!(
            find_profile(&profiles, "us.anthropic.claude-opus-4-1"),
            None
        );
        let others: Vec<(&str, &str)> = other_destinations(&sonnet, "us-east-1").collect();
        assert_eq!(
            others,
            [("us-west-2", "anthropic.claude-sonnet-4-5-20250929-v1:0")]
        );
    }

    #[test]
    fn a_regionless_foundation_model_arn_is_a_destination_in_any_region() {
        let regionless =
            "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0";
        assert_eq!(
            foundation_model_destination(regionless),
            Some((
                Destination::AnyRegion,
                "anthropic.claude-sonnet-4-5-20250929-v1:0"
            ))
        );
        assert_eq!(
            foundation_model_destination(regionless).map(|(d, _)| d.requested_region().to_string()),
            Some("unspecified".to_string())
        );
        assert_eq!(
            foundation_model_destination(
                "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-x"
            ),
            Some((Destination::Region("eu-west-1"), "anthropic.claude-x"))
        );
        assert_eq!(
            foundation_model_destination("arn:aws:bedrock:::foundation-model/"),
            None
        );
        assert_eq!(
            foundation_model_destination("arn:aws:bedrock:::inference-profile/x"),
            None
        );
        assert_eq!(
            regionless_foundation_model_arn("global.anthropic.claude-sonnet-4-5-20250929-v1:0"),
            regionless
        );
        let global = profile(
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "arn:aws:bedrock:us-east-1:111122223333:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            &[
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
                regionless,
            ],
        );
        assert!(routes_to_any_region(&global));
        // Model access is asked of real regions only: the region-less entry is not one.
        assert_eq!(other_destinations(&global, "us-west-2").count(), 1);
    }

    #[test]
    fn family_names_are_the_ones_users_read() {
        let names: Vec<&str> = [
            ClaudeFamily::Haiku,
            ClaudeFamily::Sonnet,
            ClaudeFamily::Opus,
        ]
        .into_iter()
        .map(ClaudeFamily::as_str)
        .collect();
        assert_eq!(names, ["Haiku", "Sonnet", "Opus"]);
    }
}
