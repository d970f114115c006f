//! The scanner's own least-privilege IAM policy, derived from the one list of operations the
//! collectors call (`collect::operations::OPERATIONS`), so the two cannot drift apart.

use serde_json::json;

use crate::collect::operations::OPERATIONS;

/// The policy document as pretty JSON, actions sorted.
pub fn policy_document() -> String {
    let mut actions: Vec<&str> = OPERATIONS.iter().map(|op| op.action).collect();
    actions.sort_unstable();
    actions.dedup();
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "BedrockAuditReadOnly",
            "Effect": "Allow",
            "Action": actions,
            // These List/Describe/Get calls either take no resource ARN or are read across
            // the account by design; the actions themselves are the boundary.
            "Resource": "*",
        }],
    });
    let mut text = serde_json::to_string_pretty(&policy).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_lists_every_operation_once_and_only_read_only_actions() {
        let policy: serde_json::Value =
            serde_json::from_str(&policy_document()).expect("valid JSON");
        let actions: Vec<&str> = policy["Statement"][0]["Action"]
            .as_array()
            .expect("actions")
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        assert_eq!(actions.len(), OPERATIONS.len());
        for action in actions {
            let verb = action.split_once(':').map_or("", |(_, op)| op);
            assert!(
                ["Describe", "List", "Get"]
                    .iter()
                    .any(|p| verb.starts_with(p))
                    || action == crate::collect::operations::SIMULATION_ACTION,
                "{action} is not read-only"
            );
        }
    }
}
