//! The one list of AWS operations the collectors may call. `iam-policy` prints these actions,
//! and a test compares them with what a traced scan actually sent.

/// One read-only AWS operation the scan may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The IAM action that allows it, e.g. `logs:DescribeLogGroups` (here always the same as
    /// `<service prefix>:<API operation name>`).
    pub action: &'static str,
    /// What the scan reads with it.
    pub purpose: &'static str,
}

pub const OPERATIONS: &[Operation] = &[
    Operation {
        action: "sts:GetCallerIdentity",
        purpose: "the account and principal being audited (needs no permission)",
    },
    Operation {
        action: "bedrock:ListFoundationModels",
        purpose: "Anthropic foundation models offered in each region",
    },
    Operation {
        action: "bedrock:GetFoundationModelAvailability",
        purpose: "model access for the profile's primary and fast models",
    },
    Operation {
        action: "bedrock:ListInferenceProfiles",
        purpose: "system-defined and application inference profiles",
    },
    Operation {
        action: "bedrock:GetGuardrail",
        purpose: "guardrails named in the Claude Code settings (--claude-settings)",
    },
    Operation {
        action: "bedrock:GetModelInvocationLoggingConfiguration",
        purpose: "whether model invocations are logged, and where",
    },
    Operation {
        action: "ec2:DescribeVpcs",
        purpose: "VPCs that could host a bedrock-runtime endpoint",
    },
    Operation {
        action: "ec2:DescribeVpcEndpoints",
        purpose: "bedrock-runtime interface endpoints",
    },
    Operation {
        action: "ec2:DescribeSecurityGroups",
        purpose: "security groups attached to those endpoints",
    },
    Operation {
        action: "cloudtrail:DescribeTrails",
        purpose: "trails recording API activity",
    },
    Operation {
        action: "cloudtrail:GetTrailStatus",
        purpose: "whether each trail is logging",
    },
    Operation {
        action: "cloudtrail:GetEventSelectors",
        purpose: "which events each trail records",
    },
    Operation {
        action: "logs:DescribeLogGroups",
        purpose: "log-group retention and encryption",
    },
    Operation {
        action: "kms:DescribeKey",
        purpose: "state of keys that trails and log groups use",
    },
    Operation {
        action: "kms:GetKeyRotationStatus",
        purpose: "automatic rotation of those keys",
    },
    Operation {
        action: "iam:SimulatePrincipalPolicy",
        purpose: "whether the developer principals may invoke the models in every destination region (a read: it evaluates policies, changes nothing)",
    },
    Operation {
        action: "iam:ListUsers",
        purpose: "IAM users that could hold long-term Bedrock API keys",
    },
    Operation {
        action: "iam:ListServiceSpecificCredentials",
        purpose: "long-term Bedrock API keys (metadata only, never the secret)",
    },
    Operation {
        action: "servicequotas:ListServiceQuotas",
        purpose: "Bedrock tokens- and requests-per-minute quotas for the configured models",
    },
];

/// The one operation allowed that is not a Describe, List or Get: it evaluates policies and
/// changes nothing.
pub const SIMULATION_ACTION: &str = "iam:SimulatePrincipalPolicy";

/// The IAM actions, in list order.
pub fn actions() -> impl Iterator<Item = &'static str> {
    OPERATIONS.iter().map(|op| op.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_read_only_and_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for action in actions() {
            let (service, name) = action.split_once(':').expect("service:Operation");
            assert!(!service.is_empty());
            assert!(
                ["Describe", "List", "Get"]
                    .iter()
                    .any(|p| name.starts_with(p))
                    || action == SIMULATION_ACTION,
                "{action} is not a read-only operation"
            );
            assert!(seen.insert(action), "{action} listed twice");
        }
    }
}
