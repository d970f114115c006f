//! The IAM policy evaluation our test server's SimulatePrincipalPolicy performs, imitating
//! what AWS documents (IAM user guide, *Policy evaluation logic* and *IAM JSON policy elements:
//! Condition operators*):
//! - a request is allowed when an identity-policy statement allows it and no statement of the
//!   identity policies or of the SCPs denies it (SCPs are evaluated with their conditions and
//!   resource scoping: doc comment of `simulate_principal_policy`, aws-sdk-iam 1.133);
//! - `Action`/`NotAction` match case-insensitively with `*` and `?`; `Resource`/`NotResource`
//!   match case-sensitively with `*` and `?`;
//! - a condition block is the AND of its operators and keys, each key the OR of its values;
//!   keys are matched case-insensitively;
//! - a key absent from the request context makes a positive operator false and a negated one
//!   (`StringNotEquals`, `ArnNotLike`, …) true; `…IfExists` makes any operator true when the key
//!   is absent; `Null` tests presence;
//! - `MissingContextValues` lists the keys the identity policies' applicable statements read
//!   that the call did not supply; keys read only by SCPs are not listed (doc comment of
//!   `EvaluationResult::missing_context_values`).
//!
//! Only what the scenarios need: string, ARN, Bool and Null operators.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The request context: key (lower case) to values.
pub type Context = BTreeMap<String, Vec<String>>;

/// The outcome of evaluating one (action, resource) against a set of policies.
#[derive(Debug, Default, Clone)]
pub struct Evaluation {
    /// Ids (policy name, then `/Sid`) of the statements that allow.
    pub allowed_by: Vec<String>,
    /// Ids of the statements that deny.
    pub denied_by: Vec<String>,
    /// Context keys read by applicable statements and absent from the context.
    pub missing: BTreeSet<String>,
}

fn as_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        Some(Value::Bool(b)) => vec![b.to_string()],
        _ => Vec::new(),
    }
}

/// `*` (any run) and `?` (any one character) glob.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn matches_any(patterns: &[String], text: &str, ignore_case: bool) -> bool {
    patterns.iter().any(|p| {
        if ignore_case {
            glob(&p.to_ascii_lowercase(), &text.to_ascii_lowercase())
        } else {
            glob(p, text)
        }
    })
}

fn applies(statement: &Value, action: &str, resource: &str) -> bool {
    let action_ok = match statement.get("Action") {
        Some(a) => matches_any(&as_list(Some(a)), action, true),
        None => !matches_any(&as_list(statement.get("NotAction")), action, true),
    };
    let resource_ok = match statement.get("Resource") {
        Some(r) => matches_any(&as_list(Some(r)), resource, false),
        None => !matches_any(&as_list(statement.get("NotResource")), resource, false),
    };
    action_ok && resource_ok
}

/// Whether one operator holds for one key. An operator this evaluator does not know panics:
/// the test then fails loudly rather than guess.
fn operator_holds(operator: &str, wanted: &[String], actual: Option<&Vec<String>>) -> bool {
    let (operator, if_exists) = match operator.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (operator, false),
    };
    if operator == "Null" {
        let absent = actual.is_none();
        return wanted.iter().any(|w| (w == "true") == absent);
    }
    let Some(values) = actual else {
        return if_exists || operator.contains("Not");
    };
    let one = |value: &str| -> bool {
        match operator {
            "StringEquals" | "ArnEquals" | "Bool" => wanted.iter().any(|w| w == value),
            "StringEqualsIgnoreCase" => wanted.iter().any(|w| w.eq_ignore_ascii_case(value)),
            "StringLike" | "ArnLike" => wanted.iter().any(|w| glob(w, value)),
            "StringNotEquals" | "ArnNotEquals" => !wanted.iter().any(|w| w == value),
            "StringNotLike" | "ArnNotLike" => !wanted.iter().any(|w| glob(w, value)),
            "IpAddress" => wanted.iter().any(|w| in_cidr(w, value)),
            "NotIpAddress" => !wanted.iter().any(|w| in_cidr(w, value)),
            other => panic!("the test evaluator does not know the operator {other}"),
        }
    };
    values.iter().any(|v| one(v))
}

/// Whether the IPv4 address `ip` is inside `cidr` (`203.0.113.0/24`, or one address).
fn in_cidr(cidr: &str, ip: &str) -> bool {
    let parse = |text: &str| -> Option<u32> {
        let parts: Vec<u32> = text
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        (parts.len() == 4).then(|| parts.iter().fold(0, |acc, p| (acc << 8) | p))
    };
    let (network, bits) = cidr.split_once('/').unwrap_or((cidr, "32"));
    match (parse(network), parse(ip), bits.parse::<u32>()) {
        (Some(network), Some(ip), Ok(bits)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            network & mask == ip & mask
        }
        _ => false,
    }
}

/// Whether the statement's conditions hold; records the keys it reads that are absent.
fn conditions_hold(statement: &Value, context: &Context, missing: &mut BTreeSet<String>) -> bool {
    let Some(Value::Object(block)) = statement.get("Condition") else {
        return true;
    };
    let mut holds = true;
    for (operator, keys) in block {
        let Value::Object(keys) = keys else {
            continue;
        };
        for (key, wanted) in keys {
            let actual = context.get(&key.to_ascii_lowercase());
            if actual.is_none() {
                missing.insert(key.clone());
            }
            holds &= operator_holds(operator, &as_list(Some(wanted)), actual);
        }
    }
    holds
}

fn statements(policy: &Value) -> Vec<Value> {
    match policy.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// Evaluates `action` on `resource` against named policies.
pub fn evaluate(
    policies: &[(String, Value)],
    action: &str,
    resource: &str,
    context: &Context,
) -> Evaluation {
    let mut evaluation = Evaluation::default();
    for (name, policy) in policies {
        for (index, statement) in statements(policy).iter().enumerate() {
            if !applies(statement, action, resource) {
                continue;
            }
            let mut missing = BTreeSet::new();
            let holds = conditions_hold(statement, context, &mut missing);
            evaluation.missing.extend(missing);
            if !holds {
                continue;
            }
            let id = statement
                .get("Sid")
                .and_then(Value::as_str)
                .map_or_else(|| format!("{name}/{index}"), |sid| format!("{name}/{sid}"));
            match statement.get("Effect").and_then(Value::as_str) {
                Some("Allow") => evaluation.allowed_by.push(id),
                Some("Deny") => evaluation.denied_by.push(id),
                _ => {}
            }
        }
    }
    evaluation
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn glob_and_operators_follow_the_documented_rules() {
        assert!(glob(
            "arn:aws:bedrock:*::foundation-model/*",
            "arn:aws:bedrock:::foundation-model/x"
        ));
        assert!(!glob("arn:aws:bedrock:us-*", "arn:aws:bedrock:eu-west-1"));
        let context: Context = [(
            "aws:requestedregion".to_string(),
            vec!["unspecified".to_string()],
        )]
        .into();
        let scp = vec![(
            "scp".to_string(),
            json!({"Statement": [{"Effect": "Deny", "Action": "bedrock:*", "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]},
                              "ArnNotLike": {"bedrock:InferenceProfileArn": "arn:aws:bedrock:*:*:inference-profile/*"}}}]}),
        )];
        // No profile key: the negated operator holds, so the deny applies.
        assert_eq!(
            evaluate(&scp, "bedrock:InvokeModel", "x", &context)
                .denied_by
                .len(),
            1
        );
        let mut through = context.clone();
        through.insert(
            "bedrock:inferenceprofilearn".into(),
            vec!["arn:aws:bedrock:us-east-1:1:inference-profile/global.x".into()],
        );
        assert!(evaluate(&scp, "bedrock:InvokeModel", "x", &through)
            .denied_by
            .is_empty());
    }
}
