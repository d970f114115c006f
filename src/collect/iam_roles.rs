//! IAM roles that other configurations name: the role Bedrock assumes to deliver
//! model-invocation logs to CloudWatch Logs. Apart from `iam.rs` (simulations, API keys) so
//! the two change independently.

use aws_sdk_iam::Client;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::error::failed;
use crate::snapshot::{Collected, LoggingRole};

const GET_ROLE: &str = "iam:GetRole";
/// IAM's answer for a role that does not exist: an answer, not a failure.
const NO_SUCH_ENTITY: &str = "NoSuchEntity";

/// The role named by `arn` (`arn:aws:iam::<account>:role/<path/>name`), read by its name.
pub async fn role(client: &Client, arn: &str) -> Collected<Option<LoggingRole>> {
    let name = arn.rsplit_once('/').map_or(arn, |(_, name)| name);
    match client.get_role().role_name(name).send().await {
        Ok(out) => Collected::ok(out.role().map(|role| LoggingRole {
            arn: role.arn().to_string(),
            trust_policy: role.assume_role_policy_document().map(percent_decoded),
        })),
        Err(err) if err.code() == Some(NO_SUCH_ENTITY) => Collected::ok(None),
        Err(err) => failed(GET_ROLE, &err),
    }
}

/// IAM returns policy documents URL-encoded (RFC 3986; IAM API reference, GetRole,
/// `AssumeRolePolicyDocument`). A document that is already plain JSON passes unchanged.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| {
            bytes
                .get(at)
                .and_then(|b| (*b as char).to_digit(16))
                .and_then(|d| u8::try_from(d).ok())
        };
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push(high * 16 + low);
                index += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::percent_decoded;

    #[test]
    fn encoded_and_plain_documents_decode_to_json() {
        assert_eq!(
            percent_decoded("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
        assert_eq!(percent_decoded(r#"{"a":"100%"}"#), r#"{"a":"100%"}"#);
    }
}
