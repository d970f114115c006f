//! The one list of AWS operations the collectors may call. `iam-policy` prints these actions,
//! and a test compares them with what a traced scan actually sent.

/// One read-only AWS operation the scan may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The API operation as `<service prefix>:<operation name>`, as `--trace-calls` and the
    /// evidence name it: `s3:GetBucketEncryption`.
    pub api: &'static str,
    /// The IAM action that allows it. Mostly the same as `api`; S3 names some differently
    /// (`s3:GetBucketEncryption` needs `s3:GetEncryptionConfiguration`).
    pub action: &'static str,
    /// What the scan reads with it.
    pub purpose: &'static str,
}

pub const OPERATIONS: &[Operation] = &[
    Operation {
        api: "sts:GetCallerIdentity",
        action: "sts:GetCallerIdentity",
        purpose: "the account and principal being audited (needs no permission)",
    },
    Operation {
        api: "bedrock:ListFoundationModels",
        action: "bedrock:ListFoundationModels",
        purpose: "Anthropic foundation models offered in each region",
    },
    Operation {
        api: "bedrock:GetFoundationModelAvailability",
        action: "bedrock:GetFoundationModelAvailability",
        purpose: "model access for the profile's primary and fast models",
    },
    Operation {
        api: "bedrock:ListInferenceProfiles",
        action: "bedrock:ListInferenceProfiles",
        purpose: "system-defined and application inference profiles",
    },
    Operation {
        api: "bedrock:GetGuardrail",
        action: "bedrock:GetGuardrail",
        purpose: "guardrails named in the Claude Code settings (--claude-settings), and each enforced guardrail's version",
    },
    Operation {
        api: "bedrock:ListEnforcedGuardrailsConfiguration",
        action: "bedrock:ListEnforcedGuardrailsConfiguration",
        purpose: "account-level guardrails Bedrock enforces on every invocation",
    },
    Operation {
        api: "bedrock:GetModelInvocationLoggingConfiguration",
        action: "bedrock:GetModelInvocationLoggingConfiguration",
        purpose: "whether model invocations are logged, and where",
    },
    Operation {
        api: "bedrock:GetUseCaseForModelAccess",
        action: "bedrock:GetUseCaseForModelAccess",
        purpose: "whether Anthropic's first-time-use form is on file for the account (its content is not kept)",
    },
    Operation {
        api: "bedrock:GetAccountDataRetention",
        action: "bedrock:GetAccountDataRetention",
        purpose: "the account's data retention mode in each region requests are served in",
    },
    Operation {
        api: "ec2:DescribeVpcs",
        action: "ec2:DescribeVpcs",
        purpose: "VPCs that could host a bedrock-runtime endpoint",
    },
    Operation {
        api: "ec2:DescribeVpcEndpoints",
        action: "ec2:DescribeVpcEndpoints",
        purpose: "bedrock-runtime, bedrock and sts interface endpoints, with their policies",
    },
    Operation {
        api: "ec2:DescribeSecurityGroups",
        action: "ec2:DescribeSecurityGroups",
        purpose: "security groups attached to those endpoints",
    },
    Operation {
        api: "ec2:DescribeSubnets",
        action: "ec2:DescribeSubnets",
        purpose: "Availability Zones of the subnets those endpoints are in",
    },
    Operation {
        api: "ec2:GetManagedPrefixListEntries",
        action: "ec2:GetManagedPrefixListEntries",
        purpose: "CIDRs of the managed prefix lists those security groups admit HTTPS from",
    },
    Operation {
        api: "organizations:DescribeOrganization",
        action: "organizations:DescribeOrganization",
        purpose: "the organisation id, the value of aws:PrincipalOrgID in endpoint policies",
    },
    Operation {
        api: "organizations:DescribeEffectivePolicy",
        action: "organizations:DescribeEffectivePolicy",
        purpose: "the organisation's Bedrock policy (BEDROCK_POLICY): guardrails enforced on every invocation",
    },
    Operation {
        api: "organizations:ListParents",
        action: "organizations:ListParents",
        purpose: "the OUs and root above the account, whose service control policies apply to it",
    },
    Operation {
        api: "organizations:ListPoliciesForTarget",
        action: "organizations:ListPoliciesForTarget",
        purpose: "the service control policies attached to the account, its OUs and the root",
    },
    Operation {
        api: "organizations:DescribePolicy",
        action: "organizations:DescribePolicy",
        purpose: "whether a service control policy pins the data retention mode (bedrock:DataRetentionMode)",
    },
    Operation {
        api: "cloudtrail:DescribeTrails",
        action: "cloudtrail:DescribeTrails",
        purpose: "trails recording API activity",
    },
    Operation {
        api: "cloudtrail:GetTrailStatus",
        action: "cloudtrail:GetTrailStatus",
        purpose: "whether each trail is logging",
    },
    Operation {
        api: "cloudtrail:GetEventSelectors",
        action: "cloudtrail:GetEventSelectors",
        purpose: "which events each trail records",
    },
    Operation {
        api: "logs:DescribeLogGroups",
        action: "logs:DescribeLogGroups",
        purpose: "log-group retention and encryption",
    },
    Operation {
        api: "kms:DescribeKey",
        action: "kms:DescribeKey",
        purpose: "state of keys that trails and log groups use",
    },
    Operation {
        api: "kms:GetKeyRotationStatus",
        action: "kms:GetKeyRotationStatus",
        purpose: "automatic rotation of those keys",
    },
    Operation {
        api: "iam:SimulatePrincipalPolicy",
        action: "iam:SimulatePrincipalPolicy",
        purpose: "whether the developer principals may invoke the models in every destination region (a read: it evaluates policies, changes nothing)",
    },
    Operation {
        api: "iam:ListUsers",
        action: "iam:ListUsers",
        purpose: "IAM users that could hold long-term Bedrock API keys",
    },
    Operation {
        api: "iam:ListServiceSpecificCredentials",
        action: "iam:ListServiceSpecificCredentials",
        purpose: "long-term Bedrock API keys (metadata only, never the secret)",
    },
    Operation {
        api: "s3:ListBuckets",
        action: "s3:ListAllMyBuckets",
        purpose: "whether the account owns the invocation-logging bucket (filtered by its name)",
    },
    Operation {
        api: "s3:GetBucketEncryption",
        action: "s3:GetEncryptionConfiguration",
        purpose: "default encryption of the invocation-logging bucket",
    },
    Operation {
        api: "s3:GetPublicAccessBlock",
        action: "s3:GetBucketPublicAccessBlock",
        purpose: "public access block of the invocation-logging bucket",
    },
    Operation {
        api: "s3:GetBucketLifecycleConfiguration",
        action: "s3:GetLifecycleConfiguration",
        purpose: "expiry of the prompts stored in the invocation-logging bucket",
    },
    Operation {
        api: "s3:GetBucketVersioning",
        action: "s3:GetBucketVersioning",
        purpose: "whether the invocation-logging bucket keeps expired prompts as noncurrent versions",
    },
    Operation {
        api: "s3:GetObjectLockConfiguration",
        action: "s3:GetBucketObjectLockConfiguration",
        purpose: "an Object Lock default retention that keeps prompts in the invocation-logging bucket past their expiry",
    },
    Operation {
        api: "s3:GetBucketPolicy",
        action: "s3:GetBucketPolicy",
        purpose: "whether the invocation-logging bucket lets Bedrock write log objects",
    },
    Operation {
        api: "iam:GetRole",
        action: "iam:GetRole",
        purpose: "whether the role Bedrock uses for CloudWatch delivery exists and trusts bedrock.amazonaws.com",
    },
    Operation {
        api: "servicequotas:ListServiceQuotas",
        action: "servicequotas:ListServiceQuotas",
        purpose: "Bedrock tokens- and requests-per-minute quotas for the configured models",
    },
    Operation {
        api: "cloudwatch:GetMetricData",
        action: "cloudwatch:GetMetricData",
        purpose: "how often Bedrock invoked and throttled the configured models in the last 7 days (AWS/Bedrock metrics)",
    },
];

/// The one operation allowed that is not a Describe, List or Get: it evaluates policies and
/// changes nothing.
pub const SIMULATION_ACTION: &str = "iam:SimulatePrincipalPolicy";

/// The IAM actions, in list order.
pub fn actions() -> impl Iterator<Item = &'static str> {
    OPERATIONS.iter().map(|op| op.action)
}

/// The IAM action that allows the API operation `service:Operation`; the operation itself when
/// it is not one of the scan's.
pub fn action_for(api: &str) -> String {
    OPERATIONS
        .iter()
        .find(|op| op.api == api)
        .map_or_else(|| api.to_string(), |op| op.action.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_read_only_and_listed_once() {
        let mut apis = std::collections::BTreeSet::new();
        let mut actions = std::collections::BTreeSet::new();
        for op in OPERATIONS {
            assert!(apis.insert(op.api), "{} listed twice", op.api);
            assert!(actions.insert(op.action), "{} listed twice", op.action);
            let (api_service, api_name) = op.api.split_once(':').expect("service:Operation");
            let (action_service, action_name) = op.action.split_once(':').expect("service:Action");
            assert_eq!(api_service, action_service, "{} and {}", op.api, op.action);
            for name in [api_name, action_name] {
                assert!(
                    ["Describe", "List", "Get"]
                        .iter()
                        .any(|p| name.starts_with(p))
                        || op.action == SIMULATION_ACTION,
                    "{} is not a read-only operation",
                    op.api
                );
            }
            assert_eq!(action_for(op.api), op.action);
        }
    }
}
