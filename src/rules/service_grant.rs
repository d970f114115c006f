//! Whether a resource policy (a bucket policy) or a role's trust policy grants the Bedrock
//! service principal one request, offline. Only what the Bedrock user guide's setup uses is
//! evaluated: `Effect`, `Principal` (`*`, `{"Service": "bedrock.amazonaws.com"}`,
//! `{"AWS": "*"}`), `Action` and `Resource` with `*` / `?` wildcards, and conditions on
//! `aws:SourceAccount`, `aws:SourceArn` and `aws:SecureTransport`. Anything else that could
//! change the answer (`NotPrincipal`, `NotAction`, `NotResource`, another condition key or
//! operator) makes it [`Grant::Undetermined`], never allowed. An explicit deny wins.
//!
//! `endpoint_policy` evaluates developers' requests through a VPC endpoint; it knows no
//! service principals nor `aws:Source*` keys, so this small evaluator stands beside it.

use serde_json::Value;
use wildmatch::WildMatch;

const BEDROCK_SERVICE: &str = "bedrock.amazonaws.com";

/// A request Bedrock makes on the account's behalf.
pub struct ServiceRequest<'a> {
    /// `s3:PutObject`, `sts:AssumeRole`; compared case-insensitively.
    pub action: &'a str,
    /// The resource ARN; `None` for a trust policy, which names none.
    pub resource: Option<String>,
    pub account: &'a str,
    pub region: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    Allowed,
    /// Names the denying statement.
    Denied(String),
    NotAllowed,
    /// Says what could not be evaluated.
    Undetermined(String),
}

enum Applies {
    Yes,
    No,
    Unknown(String),
}

pub fn decide(document: &str, request: &ServiceRequest) -> Grant {
    let policy: Value = match serde_json::from_str(document) {
        Ok(policy) => policy,
        Err(_) => return Grant::Undetermined("the policy is not valid JSON".into()),
    };
    let statements: Vec<&Value> = match policy.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => return Grant::Undetermined("the policy has no Statement".into()),
    };
    let mut allowed = false;
    let mut unknown_allow = Vec::new();
    for (index, statement) in statements.iter().enumerate() {
        let label = statement
            .get("Sid")
            .and_then(Value::as_str)
            .map_or_else(|| format!("#{}", index + 1), |sid| format!("{sid:?}"));
        match (
            statement.get("Effect").and_then(Value::as_str),
            applies(statement, request),
        ) {
            (Some("Deny"), Applies::Yes) => return Grant::Denied(label),
            (Some("Deny"), Applies::Unknown(why)) => {
                return Grant::Undetermined(format!("Deny statement {label}: {why}"))
            }
            (Some("Allow"), Applies::Yes) => allowed = true,
            (Some("Allow"), Applies::Unknown(why)) => {
                unknown_allow.push(format!("statement {label}: {why}"))
            }
            _ => {}
        }
    }
    if allowed {
        Grant::Allowed
    } else if !unknown_allow.is_empty() {
        Grant::Undetermined(unknown_allow.join("; "))
    } else {
        Grant::NotAllowed
    }
}

/// A string or a list of strings, as policy elements are written.
fn strings(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn glob(pattern: &str, value: &str) -> bool {
    WildMatch::new(pattern).matches(value)
}

fn applies(statement: &Value, request: &ServiceRequest) -> Applies {
    for unsupported in ["NotPrincipal", "NotAction", "NotResource"] {
        if statement.get(unsupported).is_some() {
            return Applies::Unknown(format!("it uses {unsupported}"));
        }
    }
    let principal = match statement.get("Principal") {
        Some(Value::String(any)) => any == "*",
        Some(Value::Object(map)) => {
            strings(map.get("Service")).contains(&BEDROCK_SERVICE)
                || strings(map.get("AWS")).contains(&"*")
        }
        _ => false,
    };
    let wanted_action = request.action.to_ascii_lowercase();
    let action = strings(statement.get("Action"))
        .iter()
        .any(|a| glob(&a.to_ascii_lowercase(), &wanted_action));
    let resource = match &request.resource {
        None => true,
        Some(arn) => strings(statement.get("Resource"))
            .iter()
            .any(|r| glob(r, arn)),
    };
    if !(principal && action && resource) {
        return Applies::No;
    }
    let Some(conditions) = statement.get("Condition").and_then(Value::as_object) else {
        return Applies::Yes;
    };
    // The guide's pattern for Bedrock's source; Bedrock's exact source ARN is not documented,
    // so only a pattern that admits every Bedrock resource of the account and region counts.
    let source_arn = format!("arn:aws:bedrock:{}:{}:*", request.region, request.account);
    let source_prefix = &source_arn[..source_arn.len() - 1];
    for (operator, keys) in conditions {
        let Some(keys) = keys.as_object() else {
            return Applies::Unknown(format!("condition {operator} is malformed"));
        };
        for (key, values) in keys {
            let values = strings(Some(values));
            let satisfied = match (operator.as_str(), key.to_ascii_lowercase().as_str()) {
                ("StringEquals", "aws:sourceaccount") => values.contains(&request.account),
                ("StringLike", "aws:sourceaccount") => {
                    values.iter().any(|v| glob(v, request.account))
                }
                ("ArnLike" | "StringLike", "aws:sourcearn") => {
                    if values.iter().any(|v| glob(v, &source_arn)) {
                        true
                    } else if values.iter().any(|v| v.starts_with(source_prefix)) {
                        return Applies::Unknown(format!(
                            "aws:SourceArn {values:?} names one Bedrock resource, whose ARN is not documented"
                        ));
                    } else {
                        false
                    }
                }
                ("ArnEquals" | "StringEquals", "aws:sourcearn") => {
                    if values.iter().any(|v| v.starts_with(source_prefix)) {
                        return Applies::Unknown(format!(
                            "aws:SourceArn {values:?} names one Bedrock resource, whose ARN is not documented"
                        ));
                    }
                    false
                }
                // Bedrock delivers over HTTPS, as every AWS service principal does.
                ("Bool", "aws:securetransport") => values.contains(&"true"),
                _ => {
                    return Applies::Unknown(format!(
                        "condition {operator} on {key} is not evaluated"
                    ))
                }
            };
            if !satisfied {
                return Applies::No;
            }
        }
    }
    Applies::Yes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_request() -> ServiceRequest<'static> {
        ServiceRequest {
            action: "s3:PutObject",
            resource: Some("arn:aws:s3:::logs/p/AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/x.json.gz".into()),
            account: "111122223333",
            region: "us-east-1",
        }
    }

    /// The user guide's example bucket policy (model-invocation-logging.html, "Set up an
    /// Amazon S3 destination").
    const GUIDE_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"AmazonBedrockLogsWrite","Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":["s3:PutObject"],"Resource":["arn:aws:s3:::logs/p/AWSLogs/111122223333/BedrockModelInvocationLogs/*"],"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"},"ArnLike":{"aws:SourceArn":"arn:aws:bedrock:us-east-1:111122223333:*"}}}]}"#;

    #[test]
    fn the_guide_policy_allows_and_its_variants_do_not() {
        assert_eq!(decide(GUIDE_POLICY, &write_request()), Grant::Allowed);
        for (from, to) in [
            (
                "\"aws:SourceAccount\":\"111122223333\"",
                "\"aws:SourceAccount\":\"999999999999\"",
            ),
            ("bedrock:us-east-1", "bedrock:eu-west-1"),
            ("/p/AWSLogs", "/q/AWSLogs"),
            ("bedrock.amazonaws.com", "logging.s3.amazonaws.com"),
            ("s3:PutObject", "s3:GetObject"),
        ] {
            assert_eq!(
                decide(&GUIDE_POLICY.replace(from, to), &write_request()),
                Grant::NotAllowed,
                "{to}"
            );
        }
        let denied = GUIDE_POLICY.replace("\"Effect\":\"Allow\"", "\"Effect\":\"Deny\"");
        assert_eq!(
            decide(&denied, &write_request()),
            Grant::Denied("\"AmazonBedrockLogsWrite\"".into())
        );
        let unknown_key = GUIDE_POLICY.replace("aws:SourceAccount", "aws:SourceOrgID");
        assert!(matches!(
            decide(&unknown_key, &write_request()),
            Grant::Undetermined(_)
        ));
        assert!(matches!(
            decide("{", &write_request()),
            Grant::Undetermined(_)
        ));
    }

    #[test]
    fn a_deny_of_insecure_transport_does_not_stop_bedrock() {
        let policy = GUIDE_POLICY.replace(
            "]}",
            r#",{"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::logs/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
        );
        assert_eq!(decide(&policy, &write_request()), Grant::Allowed);
    }

    #[test]
    fn a_trust_policy_is_judged_without_a_resource() {
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        let request = ServiceRequest {
            action: "sts:AssumeRole",
            resource: None,
            account: "111122223333",
            region: "us-east-1",
        };
        assert_eq!(decide(trust, &request), Grant::Allowed);
        assert_eq!(
            decide(&trust.replace("bedrock", "lambda"), &request),
            Grant::NotAllowed
        );
    }
}
