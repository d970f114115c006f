//! The guardrails an AWS Organizations Bedrock policy (`BEDROCK_POLICY`) enforces on every
//! model invocation of the accounts it applies to, read from the account's effective policy
//! (organizations:DescribeEffectivePolicy).
//!
//! Syntax (AWS Organizations user guide, *Amazon Bedrock policy syntax*,
//! orgs_manage_policies_bedrock_syntax.html): `bedrock` → `guardrail_inference` → a region →
//! a configuration name → `identifier` (the guardrail's ARN followed by `:<version>`; "The
//! Guardrail must have a version, and that version cannot be DRAFT"), with
//! `model_enforcement.included_models` / `excluded_models` (`["ALL"]` for every model) in the
//! current schema. Values may carry the inheritance operator (`{"@@assign": …}`) or be plain,
//! as an effective policy shows them; both are read. The guardrail lives in the management
//! account ("The Guardrail must be owned by the Management account").

use serde_json::Value;

use crate::snapshot::EnforcedGuardrail;

/// The `owner` of a configuration that comes from the organisation's policy.
pub const ORGANIZATION_OWNER: &str = "ORGANIZATION";

/// A value with or without `@@assign`.
fn assigned(value: &Value) -> &Value {
    value.get("@@assign").unwrap_or(value)
}

fn strings(value: &Value) -> Result<Vec<String>, String> {
    match assigned(value) {
        Value::String(text) => Ok(vec![text.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("a model list holds {item}, not a model id"))
            })
            .collect(),
        other => Err(format!("a model list is {other}, not a list of model ids")),
    }
}

/// Splits `arn:…:guardrail/<id>:<version>` into the ARN and the version.
fn split_identifier(identifier: &str) -> (String, Option<String>) {
    match identifier.rsplit_once(':') {
        Some((arn, version)) if arn.contains(":guardrail/") && !version.is_empty() => {
            (arn.to_string(), Some(version.to_string()))
        }
        _ => (identifier.to_string(), None),
    }
}

/// The configurations the effective policy `content` enforces in `region`, as enforced
/// guardrails owned by [`ORGANIZATION_OWNER`]. `Err` says why the policy cannot be read, which
/// leaves the decision undetermined (never a pass).
pub fn guardrails_in(content: &str, region: &str) -> Result<Vec<EnforcedGuardrail>, String> {
    let policy: Value = serde_json::from_str(content)
        .map_err(|e| format!("the effective Bedrock policy is not JSON ({e})"))?;
    let Some(inference) = policy
        .get("bedrock")
        .and_then(|b| b.get("guardrail_inference"))
    else {
        return Ok(Vec::new());
    };
    let Some(configs) = inference.get(region) else {
        return Ok(Vec::new());
    };
    let configs = configs
        .as_object()
        .ok_or_else(|| format!("guardrail_inference.{region} is not an object"))?;
    let mut out = Vec::new();
    for (name, config) in configs {
        let identifier = config
            .get("identifier")
            .map(assigned)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("guardrail_inference.{region}.{name} has no identifier"))?;
        let (arn, version) = split_identifier(identifier);
        let enforcement = config.get("model_enforcement");
        let included_models = enforcement
            .and_then(|m| m.get("included_models"))
            .map(strings)
            .transpose()?;
        let excluded_models = enforcement
            .and_then(|m| m.get("excluded_models"))
            .map(strings)
            .transpose()?
            .unwrap_or_default();
        out.push(EnforcedGuardrail {
            config_id: Some(name.clone()),
            guardrail_id: arn.rsplit('/').next().map(str::to_string),
            guardrail_arn: Some(arn),
            guardrail_version: version,
            owner: Some(ORGANIZATION_OWNER.to_string()),
            included_models,
            excluded_models,
            guardrail: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CURRENT: &str = r#"{"bedrock":{"guardrail_inference":{"us-east-1":{"config_1":{
        "identifier":{"@@assign":"arn:aws:bedrock:us-east-1:111111111111:guardrail/hu1dlsv9wy1d:1"},
        "selective_content_guarding":{"system":{"@@assign":"selective"},"messages":{"@@assign":"comprehensive"}},
        "model_enforcement":{"included_models":{"@@assign":["ALL"]},
                             "excluded_models":{"@@assign":["amazon.titan-embed-text-v2:0"]}}}}}}}"#;

    #[test]
    fn reads_the_documented_syntax_with_and_without_operators() {
        let found = guardrails_in(CURRENT, "us-east-1").unwrap();
        assert_eq!(found.len(), 1);
        let g = &found[0];
        assert_eq!(
            g.guardrail_arn.as_deref(),
            Some("arn:aws:bedrock:us-east-1:111111111111:guardrail/hu1dlsv9wy1d")
        );
        assert_eq!(g.guardrail_version.as_deref(), Some("1"));
        assert_eq!(g.guardrail_id.as_deref(), Some("hu1dlsv9wy1d"));
        assert_eq!(g.owner.as_deref(), Some(ORGANIZATION_OWNER));
        assert_eq!(g.included_models, Some(vec!["ALL".to_string()]));
        assert_eq!(g.excluded_models, vec!["amazon.titan-embed-text-v2:0"]);
        assert_eq!(g.config_id.as_deref(), Some("config_1"));
        // Another region has nothing; a policy without guardrails has nothing.
        assert!(guardrails_in(CURRENT, "eu-west-1").unwrap().is_empty());
        assert!(guardrails_in(r#"{"bedrock":{}}"#, "us-east-1")
            .unwrap()
            .is_empty());
        // The older schema, plain values as an effective policy may show them.
        let older = r#"{"bedrock":{"guardrail_inference":{"us-east-1":{"c":{
            "identifier":"arn:aws:bedrock:us-east-1:111111111111:guardrail/abc:3","input_tags":"honor"}}}}}"#;
        let found = guardrails_in(older, "us-east-1").unwrap();
        assert_eq!(found[0].guardrail_version.as_deref(), Some("3"));
        assert_eq!(found[0].included_models, None);
    }

    #[test]
    fn an_unreadable_policy_is_an_error_never_nothing() {
        assert!(guardrails_in("not json", "us-east-1").is_err());
        let no_identifier = r#"{"bedrock":{"guardrail_inference":{"us-east-1":{"c":{}}}}}"#;
        assert!(guardrails_in(no_identifier, "us-east-1").is_err());
        let bad_models = r#"{"bedrock":{"guardrail_inference":{"us-east-1":{"c":{
            "identifier":"arn:aws:bedrock:us-east-1:1:guardrail/a:1",
            "model_enforcement":{"included_models":{"@@assign":[1]}}}}}}}"#;
        assert!(guardrails_in(bad_models, "us-east-1").is_err());
        // An identifier without a version keeps no version (the rule fails it: not pinned).
        let unpinned = r#"{"bedrock":{"guardrail_inference":{"us-east-1":{"c":{
            "identifier":"arn:aws:bedrock:us-east-1:1:guardrail/a"}}}}}"#;
        assert_eq!(
            guardrails_in(unpinned, "us-east-1").unwrap()[0].guardrail_version,
            None
        );
    }
}
