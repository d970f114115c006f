//! Evaluates a VPC endpoint policy (`PolicyDocument`) for one request, offline.
//!
//! Only the subset that endpoint policies use: `Effect`, `Action` / `NotAction`, `Resource` /
//! `NotResource` with `*` and `?` wildcards, `Principal` (`*`, or AWS account ids and ARNs
//! matched against a known principal), and conditions on the few keys whose value is known for
//! a developer's request (`aws:RequestedRegion`, `aws:PrincipalArn`, `aws:PrincipalAccount`)
//! with the string and ARN operators. It never guesses: anything else that could change the
//! answer (another condition key or operator, `NotPrincipal`, a principal it cannot compare)
//! makes the decision [`Decision::Undetermined`], naming what it could not evaluate.
//!
//! Semantics are IAM's: an explicit deny wins, then an allow, else the request is denied
//! implicitly. An undetermined `Deny` that could apply leaves the answer undetermined even when
//! an `Allow` matches, since the deny might win.

use serde_json::Value;
use wildmatch::WildMatch;

/// One request to judge: what a developer's Claude Code would send through the endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `bedrock:InvokeModel`; IAM action names are case-insensitive.
    pub action: &'a str,
    /// The resource ARN; matched case-sensitively, as IAM does.
    pub resource: &'a str,
    /// The calling principal's ARN (an IAM user or role), when known.
    pub principal: Option<&'a str>,
    /// The region the request is served in (`aws:RequestedRegion`).
    pub requested_region: &'a str,
    /// The principal's AWS Organizations membership (`aws:PrincipalOrgID`), when known.
    pub organization: Organization<'a>,
}

/// What is known of the organisation the calling principal's account belongs to, which is
/// the value of `aws:PrincipalOrgID` (IAM User Guide, "AWS global condition context keys":
/// the key is present only when the principal's account is a member of an organisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Organization<'a> {
    /// Not read, or the principal is in an account whose membership was not read.
    Unknown,
    /// The account is in no organisation: `aws:PrincipalOrgID` is absent from the request.
    NotAMember,
    /// The organisation id (`o-...`).
    Member(&'a str),
}

/// The policy's answer for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// An `Allow` statement applies and no `Deny` does. Names the statement.
    Allowed { statement: String },
    /// A `Deny` statement applies. Names it.
    Denied { statement: String },
    /// No statement applies: denied by default.
    ImplicitlyDenied,
    /// The answer depends on something this evaluator cannot know; says what.
    Undetermined { reason: String },
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    statements: Vec<Statement>,
    /// `Version` is `2012-10-17`: `${...}` in Resource and condition values are policy
    /// variables. Under `2008-10-17`, or with no `Version`, IAM compares them literally
    /// (IAM User Guide, "IAM JSON policy elements: Version").
    variables: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Statement {
    /// `Sid`, or `Statement[<index>]` when it has none.
    label: String,
    allow: bool,
    principal: PrincipalMatch,
    actions: Matcher,
    resources: Matcher,
    conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
enum PrincipalMatch {
    /// `"*"` or `{"AWS": "*"}`, or no `Principal` element (an endpoint policy without one
    /// applies to every principal).
    Anyone,
    /// `{"AWS": [...]}`: account ids or ARNs.
    Aws(Vec<String>),
    /// Something this evaluator does not compare (`NotPrincipal`, `Federated`, ...).
    Unsupported(String),
    /// Only service or canonical-user principals: never a developer.
    NoDeveloper,
}

#[derive(Debug, Clone, PartialEq)]
struct Matcher {
    negated: bool,
    patterns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Condition {
    operator: String,
    key: String,
    values: Vec<String>,
}

/// Whether one part of a statement applies to the request.
enum Applies {
    Yes,
    No,
    Unknown(String),
}

impl Policy {
    /// Parses a policy document. `Err` says what is malformed.
    pub fn parse(text: &str) -> Result<Policy, String> {
        let document: Value =
            serde_json::from_str(text).map_err(|e| format!("the policy is not valid JSON: {e}"))?;
        let Some(object) = document.as_object() else {
            return Err("the policy is not a JSON object".into());
        };
        let statements = match object.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
            Some(item @ Value::Object(_)) => vec![item],
            Some(_) => return Err("Statement is neither an object nor an array".into()),
            None => return Err("the policy has no Statement".into()),
        };
        let statements = statements
            .into_iter()
            .enumerate()
            .map(|(index, value)| Statement::parse(index, value))
            .collect::<Result<Vec<_>, _>>()?;
        let variables = object.get("Version").and_then(Value::as_str) == Some("2012-10-17");
        Ok(Policy {
            statements,
            variables,
        })
    }

    /// The decision for one request.
    pub fn evaluate(&self, request: &Request) -> Decision {
        let mut allowed = None;
        let mut undetermined_allow = None;
        let mut undetermined_deny = None;
        let known = Known {
            request,
            variables: self.variables,
        };
        for statement in &self.statements {
            match statement.applies(&known) {
                Applies::No => {}
                Applies::Yes if !statement.allow => {
                    return Decision::Denied {
                        statement: statement.label.clone(),
                    }
                }
                Applies::Yes => {
                    allowed.get_or_insert_with(|| statement.label.clone());
                }
                Applies::Unknown(reason) => {
                    let slot = if statement.allow {
                        &mut undetermined_allow
                    } else {
                        &mut undetermined_deny
                    };
                    slot.get_or_insert(format!("{}: {reason}", statement.label));
                }
            }
        }
        if let Some(reason) = undetermined_deny {
            return Decision::Undetermined { reason };
        }
        if let Some(statement) = allowed {
            return Decision::Allowed { statement };
        }
        match undetermined_allow {
            Some(reason) => Decision::Undetermined { reason },
            None => Decision::ImplicitlyDenied,
        }
    }
}

impl Statement {
    fn parse(index: usize, value: &Value) -> Result<Statement, String> {
        let Some(object) = value.as_object() else {
            return Err(format!("Statement[{index}] is not an object"));
        };
        let label = match object.get("Sid").and_then(Value::as_str) {
            Some(sid) if !sid.is_empty() => format!("statement {sid:?}"),
            _ => format!("Statement[{index}]"),
        };
        let allow = match object.get("Effect").and_then(Value::as_str) {
            Some("Allow") => true,
            Some("Deny") => false,
            Some(other) => {
                return Err(format!(
                    "{label}: Effect {other:?} is neither Allow nor Deny"
                ))
            }
            None => return Err(format!("{label}: no Effect")),
        };
        let actions = Matcher::parse(object, "Action", "NotAction", &label)?;
        let resources = Matcher::parse(object, "Resource", "NotResource", &label)?;
        let principal = if object.contains_key("NotPrincipal") {
            PrincipalMatch::Unsupported("NotPrincipal".into())
        } else {
            match object.get("Principal") {
                None => PrincipalMatch::Anyone,
                Some(principal) => PrincipalMatch::parse(principal, &label)?,
            }
        };
        let conditions = match object.get("Condition") {
            None => Vec::new(),
            Some(condition) => Condition::parse_block(condition, &label)?,
        };
        Ok(Statement {
            label,
            allow,
            principal,
            actions,
            resources,
            conditions,
        })
    }

    fn applies(&self, known: &Known) -> Applies {
        // The action is always known: a statement it rules out is irrelevant, whatever its
        // resource, principal or conditions say.
        if !self.actions.matches_action(known.request.action) {
            return Applies::No;
        }
        let mut unknown = Vec::new();
        for part in [
            self.resources.applies_to_resource(known),
            self.principal.applies(known.request),
        ]
        .into_iter()
        .chain(self.conditions.iter().map(|c| c.applies(known)))
        {
            match part {
                Applies::No => return Applies::No,
                Applies::Yes => {}
                Applies::Unknown(reason) => unknown.push(reason),
            }
        }
        if unknown.is_empty() {
            Applies::Yes
        } else {
            Applies::Unknown(unknown.join("; "))
        }
    }
}

impl Matcher {
    fn parse(
        object: &serde_json::Map<String, Value>,
        key: &str,
        not_key: &str,
        label: &str,
    ) -> Result<Matcher, String> {
        let (negated, value) = match (object.get(key), object.get(not_key)) {
            (Some(value), None) => (false, value),
            (None, Some(value)) => (true, value),
            (Some(_), Some(_)) => return Err(format!("{label}: has both {key} and {not_key}")),
            (None, None) => return Err(format!("{label}: has neither {key} nor {not_key}")),
        };
        let patterns = strings(value).ok_or_else(|| {
            format!(
                "{label}: {} must be a string or an array of strings",
                if negated { not_key } else { key }
            )
        })?;
        Ok(Matcher { negated, patterns })
    }

    /// IAM action names are case-insensitive, and never hold policy variables.
    fn matches_action(&self, action: &str) -> bool {
        let any = self
            .patterns
            .iter()
            .any(|pattern| WildMatch::new_case_insensitive(pattern).matches(action));
        any != self.negated
    }

    /// Resource ARNs match case-sensitively, after policy variables are substituted.
    fn applies_to_resource(&self, known: &Known) -> Applies {
        let element = if self.negated {
            "NotResource"
        } else {
            "Resource"
        };
        let matched = any_pattern(&self.patterns, known, |pattern| {
            WildMatch::new(pattern).matches(known.request.resource)
        });
        match matched {
            Ok(any) if any != self.negated => Applies::Yes,
            Ok(_) => Applies::No,
            Err(variable) => Applies::Unknown(format!(
                "{element} uses the policy variable {variable}, whose value this evaluator does not know"
            )),
        }
    }
}

impl PrincipalMatch {
    fn parse(value: &Value, label: &str) -> Result<PrincipalMatch, String> {
        match value {
            Value::String(s) if s == "*" => Ok(PrincipalMatch::Anyone),
            Value::String(other) => Err(format!(
                "{label}: Principal {other:?} must be \"*\" or an object such as {{\"AWS\": ...}}"
            )),
            Value::Object(map) => {
                let mut aws = Vec::new();
                let mut unsupported = Vec::new();
                for (kind, ids) in map {
                    let ids = strings(ids).ok_or_else(|| {
                        format!("{label}: Principal.{kind} must be a string or an array of strings")
                    })?;
                    match kind.as_str() {
                        "AWS" if ids.iter().any(|id| id == "*") => {
                            return Ok(PrincipalMatch::Anyone)
                        }
                        "AWS" => aws.extend(ids),
                        "Service" | "CanonicalUser" => {}
                        other => unsupported.push(format!("Principal.{other}")),
                    }
                }
                if !unsupported.is_empty() {
                    Ok(PrincipalMatch::Unsupported(unsupported.join(", ")))
                } else if aws.is_empty() {
                    Ok(PrincipalMatch::NoDeveloper)
                } else {
                    Ok(PrincipalMatch::Aws(aws))
                }
            }
            _ => Err(format!("{label}: Principal must be \"*\" or an object")),
        }
    }

    fn applies(&self, request: &Request) -> Applies {
        match self {
            PrincipalMatch::Anyone => Applies::Yes,
            PrincipalMatch::NoDeveloper => Applies::No,
            PrincipalMatch::Unsupported(what) => {
                Applies::Unknown(format!("{what} cannot be evaluated offline"))
            }
            PrincipalMatch::Aws(ids) => match request.principal {
                None => Applies::Unknown(format!(
                    "it names specific principals ({}), and no developer principal is configured to compare with",
                    ids.join(", ")
                )),
                Some(principal) if is_user_or_role(principal) => {
                    let mut sessions = Vec::new();
                    let mut uncomparable = Vec::new();
                    for id in ids {
                        match names_principal(id, principal) {
                            Named::Yes => return Applies::Yes,
                            Named::No => {}
                            Named::SomeSessions => sessions.push(id.as_str()),
                            Named::Uncomparable => uncomparable.push(id.as_str()),
                        }
                    }
                    if !sessions.is_empty() {
                        Applies::Unknown(format!(
                            "it names one session of {principal} ({}), so it applies to some developers' requests and not to others",
                            sessions.join(", ")
                        ))
                    } else if !uncomparable.is_empty() {
                        Applies::Unknown(format!(
                            "it names principals this evaluator cannot compare with {principal} ({})",
                            uncomparable.join(", ")
                        ))
                    } else {
                        Applies::No
                    }
                }
                Some(principal) => Applies::Unknown(format!(
                    "it names specific principals, and {principal} is not a user or role whose requests can be matched against them"
                )),
            },
        }
    }
}

impl Condition {
    fn parse_block(value: &Value, label: &str) -> Result<Vec<Condition>, String> {
        let Some(operators) = value.as_object() else {
            return Err(format!("{label}: Condition is not an object"));
        };
        let mut conditions = Vec::new();
        for (operator, keys) in operators {
            let Some(keys) = keys.as_object() else {
                return Err(format!("{label}: Condition.{operator} is not an object"));
            };
            for (key, values) in keys {
                let values = strings(values).ok_or_else(|| {
                    format!("{label}: Condition.{operator}.{key} must be a string or an array of strings")
                })?;
                conditions.push(Condition {
                    operator: operator.clone(),
                    key: key.clone(),
                    values,
                });
            }
        }
        Ok(conditions)
    }

    fn applies(&self, known: &Known) -> Applies {
        let request = known.request;
        let unknown = |why: &str| {
            Applies::Unknown(format!("condition {} on {} {why}", self.operator, self.key))
        };
        let value = match self.key.to_ascii_lowercase().as_str() {
            "aws:requestedregion" => Some(request.requested_region.to_string()),
            "aws:principalarn" => request
                .principal
                .filter(|p| is_user_or_role(p))
                .map(str::to_string),
            "aws:principalaccount" => request.principal.and_then(account_of).map(str::to_string),
            "aws:principalorgid" => match request.organization {
                Organization::Member(id) => Some(id.to_string()),
                // An absent key matches no value, so only the negated operators hold (IAM
                // User Guide, "Condition operators": a key not in the request context).
                Organization::NotAMember => {
                    return match self.operator.as_str() {
                        "StringNotEquals" | "StringNotEqualsIgnoreCase" | "StringNotLike" => {
                            Applies::Yes
                        }
                        "StringEquals" | "StringEqualsIgnoreCase" | "StringLike" => Applies::No,
                        _ => unknown("uses an operator this evaluator does not support"),
                    };
                }
                Organization::Unknown => {
                    return unknown(
                        "needs the developer's organization id, which is known only for a principal of the scanned account once organizations:DescribeOrganization was read",
                    )
                }
            },
            _ => return unknown(
                "cannot be evaluated offline (its value is not known before the request is made)",
            ),
        };
        let Some(value) = value else {
            return unknown("needs the developer's principal ARN, and none is configured");
        };
        let (negated, matches): (bool, fn(&str, &str) -> bool) = match self.operator.as_str() {
            "StringEquals" | "ArnEquals" => (false, |p, v| p == v),
            "StringNotEquals" | "ArnNotEquals" => (true, |p, v| p == v),
            "StringEqualsIgnoreCase" => (false, |p, v| p.eq_ignore_ascii_case(v)),
            "StringNotEqualsIgnoreCase" => (true, |p, v| p.eq_ignore_ascii_case(v)),
            "StringLike" | "ArnLike" => (false, |p, v| WildMatch::new(p).matches(v)),
            "StringNotLike" | "ArnNotLike" => (true, |p, v| WildMatch::new(p).matches(v)),
            _ => return unknown("uses an operator this evaluator does not support"),
        };
        // Policy variables work in the values of string and ARN conditions (IAM User Guide,
        // "IAM policy elements: Variables and tags").
        match any_pattern(&self.values, known, |pattern| matches(pattern, &value)) {
            Ok(any) if any != negated => Applies::Yes,
            Ok(_) => Applies::No,
            Err(variable) => unknown(&format!(
                "compares with the policy variable {variable}, whose value this evaluator does not know"
            )),
        }
    }
}

/// What the evaluator knows while judging one request.
struct Known<'a> {
    request: &'a Request<'a>,
    /// Whether `${...}` is a policy variable (policy `Version` 2012-10-17).
    variables: bool,
}

/// `Ok(true)` when a pattern, its policy variables substituted, matches; `Err(variable)` when
/// none does and one holds a variable whose value is unknown (it might match); else `Ok(false)`.
fn any_pattern(
    patterns: &[String],
    known: &Known,
    matches: impl Fn(&str) -> bool,
) -> Result<bool, String> {
    let mut unknown = None;
    for pattern in patterns {
        match substitute(pattern, known) {
            Ok(pattern) if matches(&pattern) => return Ok(true),
            Ok(_) => {}
            Err(variable) => {
                unknown.get_or_insert(variable);
            }
        }
    }
    unknown.map_or(Ok(false), Err)
}

/// Replaces the policy variables in `pattern` with the request's known values. `Err` names
/// the first variable whose value is not known here (a tag, `aws:username` of a role, the
/// literal-wildcard variables `${*}` and `${?}` this matcher cannot escape, ...).
///
/// Known: `aws:RequestedRegion`, and from the developer's principal ARN `aws:PrincipalArn`,
/// `aws:PrincipalAccount` and (for an IAM user) `aws:username`; `${$}` is a literal `$`. A
/// default value (`${key, 'default'}`) is not used: whether the key is absent is not known.
fn substitute(pattern: &str, known: &Known) -> Result<String, String> {
    if !known.variables || !pattern.contains("${") {
        return Ok(pattern.to_string());
    }
    let request = known.request;
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            // No closing brace: not a variable, the text stands as written.
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let variable = &after[..end];
        let key = variable
            .split_once(',')
            .map_or(variable, |(key, _default)| key)
            .trim();
        let value = match key.to_ascii_lowercase().as_str() {
            "$" => Some("$".to_string()),
            "aws:requestedregion" => Some(request.requested_region.to_string()),
            "aws:principalarn" => request
                .principal
                .filter(|p| is_user_or_role(p))
                .map(str::to_string),
            "aws:principalaccount" => request.principal.and_then(account_of).map(str::to_string),
            "aws:username" => request.principal.and_then(user_name).map(str::to_string),
            _ => None,
        };
        match value {
            Some(value) => out.push_str(&value),
            None => return Err(format!("${{{variable}}}")),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A string, or an array of strings, as a list.
fn strings(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

/// `arn:aws:iam::123456789012:role/Name` → `123456789012`.
fn account_of(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    (parts.next() == Some("arn"))
        .then(|| parts.nth(3))
        .flatten()
        .filter(|a| a.len() == 12 && a.chars().all(|c| c.is_ascii_digit()))
}

/// How one `Principal` entry relates to the developer's user or role.
enum Named {
    /// The principal itself, its account, or its account's root.
    Yes,
    /// Another user, role, account or role's session.
    No,
    /// One session of the developer's role (`arn:aws:sts::<account>:assumed-role/<name>/<session>`):
    /// some developers' requests carry it, others' do not.
    SomeSessions,
    /// A form this evaluator does not compare (a unique id such as `AROA...`, a federated user...).
    Uncomparable,
}

fn names_principal(id: &str, principal: &str) -> Named {
    let account = account_of(principal);
    if id == principal
        || Some(id) == account
        || account.is_some_and(|a| id == format!("arn:aws:iam::{a}:root"))
    {
        return Named::Yes;
    }
    if id.len() == 12 && id.chars().all(|c| c.is_ascii_digit()) {
        return Named::No;
    }
    if is_user_or_role(id) || (id.ends_with(":root") && id.contains(":iam::")) {
        return Named::No;
    }
    if let Some((session_account, rest)) = id
        .strip_prefix("arn:aws:sts::")
        .and_then(|rest| rest.split_once(":assumed-role/"))
    {
        // An assumed-role ARN drops the role's path: compare the account and the role's name.
        let role_name = rest.split_once('/').map(|(name, _session)| name);
        let ours = principal
            .split_once(":role/")
            .map(|(_, path_and_name)| path_and_name.rsplit('/').next().unwrap_or(path_and_name));
        return if Some(session_account) == account && role_name.is_some() && role_name == ours {
            Named::SomeSessions
        } else {
            Named::No
        };
    }
    // Unique ids (`AROA...`, `AIDA...`: what a Principal shows once the role or user it named
    // was deleted and re-created, or as written) and other ARNs cannot be compared with the
    // developer's ARN; anything else names no principal a request comes from.
    let unique_id = id.len() >= 16
        && id.starts_with('A')
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if unique_id || id.starts_with("arn:") {
        Named::Uncomparable
    } else {
        Named::No
    }
}

/// `arn:aws:iam::123456789012:user/path/alice` → `alice`; `None` for anything but a user.
fn user_name(arn: &str) -> Option<&str> {
    let (_, path_and_name) = arn.split_once(":iam::")?.1.split_once(":user/")?;
    path_and_name.rsplit('/').next()
}

/// Only users and roles make requests; a group never appears as a request's principal.
fn is_user_or_role(arn: &str) -> bool {
    arn.split_once(":iam::")
        .and_then(|(_, rest)| rest.split_once(':'))
        .is_some_and(|(_, resource)| resource.starts_with("user/") || resource.starts_with("role/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVOKE: &str = "bedrock:InvokeModel";
    const STREAM: &str = "bedrock:InvokeModelWithResponseStream";
    const PROFILE: &str =
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    const MODEL_WEST: &str =
        "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0";
    const HAIKU: &str =
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0";
    const DEV: &str = "arn:aws:iam::123456789012:role/ClaudeCodeDevelopers";
    const OTHER_ROLE: &str = "arn:aws:iam::123456789012:role/Other";

    fn request<'a>(action: &'a str, resource: &'a str) -> Request<'a> {
        Request {
            action,
            resource,
            principal: None,
            requested_region: "us-east-1",
            organization: Organization::Unknown,
        }
    }

    fn allow(statement: &str) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",{statement}}}]}}"#)
    }

    /// Allows everything, then denies every action on what `rest` (Resource, Principal,
    /// Condition...) names; Principal defaults to `*`.
    fn allow_all_then_deny(rest: &str) -> String {
        let principal = if rest.contains("\"Principal\"") {
            ""
        } else {
            r#""Principal":"*","#
        };
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}},{{"Effect":"Deny",{principal}"Action":"*",{rest}}}]}}"#
        )
    }

    enum Want {
        Allowed,
        Denied,
        Implicit,
        Undetermined(&'static str),
    }

    /// (name, policy, request, expected decision).
    fn cases() -> Vec<(&'static str, String, Request<'static>, Want)> {
        use Want::*;
        let full =
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
        let with = |principal, region| Request {
            action: INVOKE,
            resource: PROFILE,
            principal,
            requested_region: region,
            organization: Organization::Unknown,
        };
        let in_org = |organization| Request {
            action: INVOKE,
            resource: PROFILE,
            principal: Some(DEV),
            requested_region: "us-east-1",
            organization,
        };
        vec![
            ("full access default policy", full.to_string(), request(INVOKE, PROFILE), Allowed),
            ("single statement object, not array", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"bedrock:*","Resource":"*"}}"#.into(), request(STREAM, MODEL_WEST), Allowed),
            ("service wildcard", allow(r#""Principal":"*","Action":"bedrock:*","Resource":"*""#), request(INVOKE, PROFILE), Allowed),
            ("prefix wildcard", allow(r#""Principal":"*","Action":"bedrock:Invoke*","Resource":"*""#), request(STREAM, PROFILE), Allowed),
            ("wildcard in the middle of the action", allow(r#""Principal":"*","Action":"bedrock:Invoke*Stream","Resource":"*""#), request(STREAM, PROFILE), Allowed),
            ("wildcard in the middle misses InvokeModel", allow(r#""Principal":"*","Action":"bedrock:Invoke*Stream","Resource":"*""#), request(INVOKE, PROFILE), Implicit),
            ("question mark matches one character", allow(r#""Principal":"*","Action":"bedrock:InvokeMode?","Resource":"*""#), request(INVOKE, PROFILE), Allowed),
            ("question mark does not match two", allow(r#""Principal":"*","Action":"bedrock:InvokeMod?","Resource":"*""#), request(INVOKE, PROFILE), Implicit),
            ("action names are case-insensitive", allow(r#""Principal":"*","Action":"BEDROCK:invokemodel","Resource":"*""#), request(INVOKE, PROFILE), Allowed),
            ("mixed-case wildcard action", allow(r#""Principal":"*","Action":"Bedrock:invoke*","Resource":"*""#), request(STREAM, PROFILE), Allowed),
            ("exact action only allows itself", allow(r#""Principal":"*","Action":"bedrock:InvokeModel","Resource":"*""#), request(STREAM, PROFILE), Implicit),
            ("other service", allow(r#""Principal":"*","Action":"s3:*","Resource":"*""#), request(INVOKE, PROFILE), Implicit),
            ("action list", allow(r#""Principal":"*","Action":["s3:GetObject","bedrock:InvokeModelWithResponseStream"],"Resource":"*""#), request(STREAM, PROFILE), Allowed),
            ("NotAction excludes the action", allow(r#""Principal":"*","NotAction":"bedrock:InvokeModel*","Resource":"*""#), request(INVOKE, PROFILE), Implicit),
            ("NotAction allows everything else", allow(r#""Principal":"*","NotAction":"bedrock:CreateModelCustomizationJob","Resource":"*""#), request(INVOKE, PROFILE), Allowed),
            ("Deny with NotAction denies the rest", r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Sid":"OnlyInvoke","Effect":"Deny","Principal":"*","NotAction":"bedrock:Get*","Resource":"*"}]}"#.to_string(), request(INVOKE, PROFILE), Denied),
            ("resource wildcard over profiles", allow(r#""Principal":"*","Action":"bedrock:*","Resource":"arn:aws:bedrock:*:123456789012:inference-profile/*""#), request(INVOKE, PROFILE), Allowed),
            ("resource wildcard excludes foundation models", allow(r#""Principal":"*","Action":"bedrock:*","Resource":"arn:aws:bedrock:*:123456789012:inference-profile/*""#), request(INVOKE, MODEL_WEST), Implicit),
            ("resource wildcard in the middle", allow(r#""Principal":"*","Action":"bedrock:*","Resource":"arn:aws:bedrock:*::foundation-model/anthropic.claude-*-v1:0""#), request(INVOKE, MODEL_WEST), Allowed),
            ("resources are case-sensitive", allow(r#""Principal":"*","Action":"bedrock:*","Resource":"arn:aws:bedrock:*::foundation-model/Anthropic.*""#), request(INVOKE, MODEL_WEST), Implicit),
            ("NotResource excludes one model", allow(r#""Principal":"*","Action":"bedrock:*","NotResource":"arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku*""#), request(INVOKE, HAIKU), Implicit),
            ("NotResource allows the others", allow(r#""Principal":"*","Action":"bedrock:*","NotResource":"arn:aws:bedrock:*::foundation-model/anthropic.claude-haiku*""#), request(INVOKE, MODEL_WEST), Allowed),
            ("explicit deny of one model wins", format!(r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}},{{"Sid":"NoHaiku","Effect":"Deny","Principal":"*","Action":"bedrock:*","Resource":"{HAIKU}"}}]}}"#), request(INVOKE, HAIKU), Denied),
            ("deny of one model leaves others allowed", format!(r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}},{{"Effect":"Deny","Principal":"*","Action":"bedrock:*","Resource":"{HAIKU}"}}]}}"#), request(INVOKE, PROFILE), Allowed),
            ("no statement applies", allow(r#""Principal":"*","Action":"bedrock:ListFoundationModels","Resource":"*""#), request(INVOKE, PROFILE), Implicit),
            ("empty statement list", r#"{"Statement":[]}"#.into(), request(INVOKE, PROFILE), Implicit),
            ("Principal AWS star", allow(r#""Principal":{"AWS":"*"},"Action":"*","Resource":"*""#), request(INVOKE, PROFILE), Allowed),
            ("no Principal element applies to all", allow(r#""Action":"*","Resource":"*""#), request(INVOKE, PROFILE), Allowed),
            ("specific principal, none configured", allow(&format!(r#""Principal":{{"AWS":"{DEV}"}},"Action":"*","Resource":"*""#)), request(INVOKE, PROFILE), Undetermined("no developer principal is configured")),
            ("specific principal matches the developer", allow(&format!(r#""Principal":{{"AWS":["{DEV}"]}},"Action":"*","Resource":"*""#)), with(Some(DEV), "us-east-1"), Allowed),
            ("specific principal excludes another role", allow(&format!(r#""Principal":{{"AWS":["{DEV}"]}},"Action":"*","Resource":"*""#)), with(Some(OTHER_ROLE), "us-east-1"), Implicit),
            ("account id principal covers its roles", allow(r#""Principal":{"AWS":"123456789012"},"Action":"*","Resource":"*""#), with(Some(DEV), "us-east-1"), Allowed),
            ("account root principal covers its roles", allow(r#""Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"*","Resource":"*""#), with(Some(DEV), "us-east-1"), Allowed),
            ("other account's root does not", allow(r#""Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"*","Resource":"*""#), with(Some(DEV), "us-east-1"), Implicit),
            ("an account id that is not 12 digits names no account", allow(r#""Principal":{"AWS":"12345678901a"},"Action":"*","Resource":"*""#), with(Some("arn:aws:iam::12345678901a:role/Dev"), "us-east-1"), Implicit),
            ("StringEqualsIgnoreCase on the region", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringEqualsIgnoreCase":{"aws:RequestedRegion":"US-EAST-1"}}"#), with(None, "us-east-1"), Allowed),
            ("StringNotEqualsIgnoreCase excludes the region in any case", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotEqualsIgnoreCase":{"aws:RequestedRegion":"US-EAST-1"}}"#), with(None, "us-east-1"), Implicit),
            ("StringNotEqualsIgnoreCase admits another region", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotEqualsIgnoreCase":{"aws:RequestedRegion":"EU-WEST-1"}}"#), with(None, "us-east-1"), Allowed),
            ("StringNotLike admits what it does not match", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotLike":{"aws:RequestedRegion":"eu-*"}}"#), with(None, "us-east-1"), Allowed),
            ("ArnNotLike excludes the matching principal", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/ClaudeCode*"}}"#), with(Some(DEV), "us-east-1"), Implicit),
            ("a group is not a principal a request comes from", allow(r#""Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"*","Resource":"*""#), with(Some("arn:aws:iam::123456789012:group/Developers"), "us-east-1"), Undetermined("is not a user or role")),
            ("service principal is never a developer", allow(r#""Principal":{"Service":"ec2.amazonaws.com"},"Action":"*","Resource":"*""#), request(INVOKE, PROFILE), Implicit),
            ("NotPrincipal is not evaluated", r#"{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:role/X"},"Action":"*","Resource":"*"}]}"#.into(), request(INVOKE, PROFILE), Undetermined("NotPrincipal")),
            ("requested-region condition met", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1","us-west-2"]}}"#), request(INVOKE, PROFILE), Allowed),
            ("requested-region condition not met", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#), request(INVOKE, PROFILE), Implicit),
            ("condition keys are case-insensitive", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringLike":{"AWS:requestedregion":"us-*"}}"#), request(INVOKE, PROFILE), Allowed),
            ("StringNotEquals on region", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}"#), request(INVOKE, PROFILE), Implicit),
            ("PrincipalArn condition with the developer", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/ClaudeCode*"}}"#), with(Some(DEV), "us-east-1"), Allowed),
            ("PrincipalArn condition without a principal", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/ClaudeCode*"}}"#), request(INVOKE, PROFILE), Undetermined("aws:PrincipalArn")),
            ("PrincipalAccount condition", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}"#), with(Some(DEV), "us-east-1"), Allowed),
            ("unsupported condition key on an allow", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#), request(INVOKE, PROFILE), Undetermined("aws:PrincipalOrgID")),
            ("unsupported operator", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:RequestedRegion":"us-east-1"}}"#), request(INVOKE, PROFILE), Undetermined("ForAnyValue:StringEquals")),
            ("IfExists is not guessed", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:RequestedRegion":"us-east-1"}}"#), request(INVOKE, PROFILE), Undetermined("StringEqualsIfExists")),
            ("unknown deny beats a clear allow", r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#.to_string(), request(INVOKE, PROFILE), Undetermined("aws:SourceIp")),
            ("unknown condition on an irrelevant statement is ignored", r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"bedrock:Invoke*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#.to_string(), request(INVOKE, PROFILE), Allowed),
            ("a failed known condition settles an unknown one", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1","aws:PrincipalOrgID":"o-abc"}}"#), request(INVOKE, PROFILE), Implicit),
            // Policy variables (IAM User Guide, "IAM policy elements: Variables and tags"; the
            // Version element page: under 2008-10-17 or no Version they are literal text).
            ("a variable in a Deny's Resource is substituted", allow_all_then_deny(r#""Resource":"arn:aws:bedrock:${aws:RequestedRegion}:123456789012:inference-profile/*""#), request(INVOKE, PROFILE), Denied),
            ("the substituted region must match", allow_all_then_deny(r#""Resource":"arn:aws:bedrock:${aws:RequestedRegion}:123456789012:inference-profile/*""#), with(None, "us-west-2"), Allowed),
            ("without Version 2012-10-17 a variable is literal text", r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"*","Resource":"arn:aws:bedrock:${aws:RequestedRegion}:123456789012:inference-profile/*"}]}"#.into(), request(INVOKE, PROFILE), Allowed),
            ("an unknown variable in a Deny's Resource is undetermined", allow_all_then_deny(r#""Resource":"arn:aws:bedrock:*:${aws:PrincipalTag/account}:inference-profile/*""#), request(INVOKE, PROFILE), Undetermined("${aws:PrincipalTag/account}")),
            ("aws:username of a role is unknown", allow_all_then_deny(r#""Resource":"arn:aws:bedrock:*:*:inference-profile/${aws:username}*""#), with(Some(DEV), "us-east-1"), Undetermined("${aws:username}")),
            ("aws:username of a user is its name", allow_all_then_deny(r#""Resource":"arn:aws:bedrock:*:*:inference-profile/*","Condition":{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/${aws:username}"}}"#), with(Some("arn:aws:iam::123456789012:user/alice"), "us-east-1"), Denied),
            ("a default value is not taken for granted", allow_all_then_deny(r#""Resource":"arn:aws:bedrock:*:*:inference-profile/${aws:PrincipalTag/x, 'us'}*""#), request(INVOKE, PROFILE), Undetermined("${aws:PrincipalTag/x, 'us'}")),
            ("a variable in a condition value is substituted", allow_all_then_deny(r#""Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:role/ClaudeCodeDevelopers"}}"#), with(Some(DEV), "us-east-1"), Denied),
            ("an unknown variable in a negated condition is undetermined", allow_all_then_deny(r#""Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"${aws:PrincipalTag/home-region}"}}"#), request(INVOKE, PROFILE), Undetermined("${aws:PrincipalTag/home-region}")),
            ("a known value that matches settles a list with an unknown variable", allow(r#""Principal":"*","Action":"*","Resource":["${aws:PrincipalTag/x}","arn:aws:bedrock:*:123456789012:inference-profile/*"]"#), request(INVOKE, PROFILE), Allowed),
            ("an unknown variable in an Allow's Resource is undetermined", allow(r#""Principal":"*","Action":"*","Resource":"arn:aws:bedrock:*:${aws:PrincipalTag/x}:inference-profile/*""#), request(INVOKE, PROFILE), Undetermined("${aws:PrincipalTag/x}")),
            ("a NotResource with an unknown variable is undetermined", allow_all_then_deny(r#""NotResource":"arn:aws:bedrock:*:${aws:PrincipalTag/x}:*""#), request(INVOKE, PROFILE), Undetermined("NotResource")),
            ("a dollar variable is a literal dollar", allow(r#""Principal":"*","Action":"*","Resource":"arn:aws:bedrock:*:123456789012:inference-profile/${$}*""#), request(INVOKE, PROFILE), Implicit),
            // A role session is a principal of its own in a Principal element: a Deny naming
            // one developer's session denies that developer and not the others.
            ("a Deny naming one session of the developer role", allow_all_then_deny(r#""Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/ClaudeCodeDevelopers/dev1"},"Resource":"*""#), with(Some(DEV), "us-east-1"), Undetermined("one session")),
            ("a session of a role with a path", allow_all_then_deny(r#""Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/ClaudeCodeDevelopers/dev1"},"Resource":"*""#), with(Some("arn:aws:iam::123456789012:role/teams/ClaudeCodeDevelopers"), "us-east-1"), Undetermined("one session")),
            ("a Deny naming another role's session", allow_all_then_deny(r#""Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/Other/dev1"},"Resource":"*""#), with(Some(DEV), "us-east-1"), Allowed),
            ("a Deny naming a session in another account", allow_all_then_deny(r#""Principal":{"AWS":"arn:aws:sts::210987654321:assumed-role/ClaudeCodeDevelopers/dev1"},"Resource":"*""#), with(Some(DEV), "us-east-1"), Allowed),
            ("a Deny naming a unique id cannot be compared", allow_all_then_deny(r#""Principal":{"AWS":"AROAEXAMPLEID12345678"},"Resource":"*""#), with(Some(DEV), "us-east-1"), Undetermined("AROAEXAMPLEID12345678")),
            ("an Allow naming one session only", allow(r#""Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/ClaudeCodeDevelopers/dev1"},"Action":"*","Resource":"*""#), with(Some(DEV), "us-east-1"), Undetermined("one session")),
            // aws:PrincipalOrgID, once organizations:DescribeOrganization told it.
            ("PrincipalOrgID of a member", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#), in_org(Organization::Member("o-abc123")), Allowed),
            ("PrincipalOrgID of another organisation", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#), in_org(Organization::Member("o-other")), Implicit),
            ("PrincipalOrgID absent: StringEquals does not hold", allow(r#""Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#), in_org(Organization::NotAMember), Implicit),
            ("PrincipalOrgID absent: a StringNotEquals deny holds", allow_all_then_deny(r#""Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#), in_org(Organization::NotAMember), Denied),
            ("PrincipalOrgID unknown", allow_all_then_deny(r#""Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#), in_org(Organization::Unknown), Undetermined("organizations:DescribeOrganization")),
            ("deny on one destination region", r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-west-2"}}}]}"#.to_string(), with(None, "us-west-2"), Denied),
        ]
    }

    #[test]
    fn decisions_follow_iam_evaluation() {
        let cases = cases();
        assert!(cases.len() >= 30);
        for (name, policy, request, want) in cases {
            let policy = Policy::parse(&policy).unwrap_or_else(|e| panic!("{name}: {e}"));
            let got = policy.evaluate(&request);
            let ok = match (&want, &got) {
                (Want::Allowed, Decision::Allowed { .. }) => true,
                (Want::Denied, Decision::Denied { .. }) => true,
                (Want::Implicit, Decision::ImplicitlyDenied) => true,
                (Want::Undetermined(fragment), Decision::Undetermined { reason }) => {
                    reason.contains(fragment)
                }
                _ => false,
            };
            assert!(ok, "{name}: got {got:?}");
        }
    }

    #[test]
    fn decisions_name_the_statement() {
        let policy = Policy::parse(&format!(
            r#"{{"Statement":[{{"Sid":"All","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}},{{"Sid":"NoHaiku","Effect":"Deny","Principal":"*","Action":"bedrock:*","Resource":"{HAIKU}"}}]}}"#
        ))
        .expect("parses");
        assert_eq!(
            policy.evaluate(&request(INVOKE, HAIKU)),
            Decision::Denied {
                statement: "statement \"NoHaiku\"".into()
            }
        );
        assert_eq!(
            policy.evaluate(&request(INVOKE, PROFILE)),
            Decision::Allowed {
                statement: "statement \"All\"".into()
            }
        );
    }

    #[test]
    fn malformed_policies_are_rejected_with_a_reason() {
        for (text, fragment) in [
            ("not json", "not valid JSON"),
            ("[]", "not a JSON object"),
            (r#"{"Version":"2012-10-17"}"#, "no Statement"),
            (r#"{"Statement":"x"}"#, "neither an object nor an array"),
            (
                r#"{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}"#,
                "neither Allow nor Deny",
            ),
            (
                r#"{"Statement":[{"Action":"*","Resource":"*"}]}"#,
                "no Effect",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
                "neither Action nor NotAction",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}]}"#,
                "both Action and NotAction",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"*"}]}"#,
                "neither Resource nor NotResource",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":7,"Resource":"*"}]}"#,
                "must be a string",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"me","Action":"*","Resource":"*"}]}"#,
                r#"Statement[0]: Principal "me" must be "*" or an object such as {"AWS": ...}"#,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":7,"Action":"*","Resource":"*"}]}"#,
                r#"Statement[0]: Principal must be "*" or an object"#,
            ),
            (
                r#"{"Statement":[{"Sid":"","Effect":"Allow","Principal":"me","Action":"*","Resource":"*"}]}"#,
                "Statement[0]: Principal",
            ),
            (
                r#"{"Statement":[{"Sid":"Mine","Effect":"Allow","Principal":"me","Action":"*","Resource":"*"}]}"#,
                r#"statement "Mine": Principal"#,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":[]}]}"#,
                "Condition is not an object",
            ),
        ] {
            let error = Policy::parse(text).expect_err(text);
            assert!(error.contains(fragment), "{text}: {error}");
        }
    }
}
