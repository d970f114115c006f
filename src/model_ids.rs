//! Bedrock model identifiers: inference-profile ids versus the foundation models they route to.

/// Geography prefixes Bedrock puts in front of a foundation-model id to name a system-defined
/// cross-region inference profile (`us.anthropic.claude-…`).
const GEOGRAPHY_PREFIXES: &[&str] = &[
    "us", "us-gov", "eu", "apac", "global", "jp", "au", "ca", "uk", "in", "sa", "me", "af", "mx",
];

/// The foundation-model id an inference-profile id routes to, e.g.
/// `us.anthropic.claude-sonnet-4-5-20250929-v1:0` → `anthropic.claude-sonnet-4-5-20250929-v1:0`.
///
/// Accepts a bare id or an ARN (`…:foundation-model/<id>`, `…:inference-profile/<id>`); a
/// foundation-model id comes back unchanged. An application-inference-profile ARN names no
/// model in its text, so it also comes back unchanged (its last path segment).
pub fn foundation_model_id(id: &str) -> &str {
    let id = id.trim();
    // In an ARN the id is the part after the resource type (`foundation-model/…`).
    let id = if id.starts_with("arn:") {
        id.rsplit_once('/').map_or(id, |(_, tail)| tail)
    } else {
        id
    };
    match id.split_once('.') {
        // Only strip a prefix when what follows still looks like `provider.model`, so a
        // foundation-model id such as `anthropic.claude-…` is never shortened.
        Some((prefix, rest))
            if GEOGRAPHY_PREFIXES.contains(&prefix) && looks_like_model_id(rest) =>
        {
            rest
        }
        _ => id,
    }
}

/// `provider.model…`: a lowercase provider name, a dot, then something.
fn looks_like_model_id(text: &str) -> bool {
    text.split_once('.').is_some_and(|(provider, model)| {
        !provider.is_empty()
            && provider
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !model.is_empty()
    })
}

#[cfg(test)]
mod tests {
    use super::foundation_model_id;

    #[test]
    fn strips_each_geography_prefix() {
        for prefix in ["us", "eu", "apac", "global", "jp", "au", "ca", "us-gov"] {
            let profile = format!("{prefix}.anthropic.claude-sonnet-4-5-20250929-v1:0");
            assert_eq!(
                foundation_model_id(&profile),
                "anthropic.claude-sonnet-4-5-20250929-v1:0",
                "{profile}"
            );
        }
    }

    #[test]
    fn leaves_foundation_model_ids_alone() {
        assert_eq!(
            foundation_model_id("anthropic.claude-haiku-4-5-20251001-v1:0"),
            "anthropic.claude-haiku-4-5-20251001-v1:0"
        );
        assert_eq!(
            foundation_model_id("amazon.titan-text-v1"),
            "amazon.titan-text-v1"
        );
    }

    #[test]
    fn reads_arns() {
        assert_eq!(
            foundation_model_id(
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
            ),
            "anthropic.claude-3-haiku-20240307-v1:0"
        );
        assert_eq!(
            foundation_model_id(
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0"
            ),
            "anthropic.claude-3-haiku-20240307-v1:0"
        );
    }

    #[test]
    fn unknown_prefix_is_not_stripped() {
        assert_eq!(
            foundation_model_id("xx.anthropic.claude"),
            "xx.anthropic.claude"
        );
        assert_eq!(foundation_model_id("us.claude"), "us.claude");
    }
}
