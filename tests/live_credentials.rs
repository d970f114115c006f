//! The credential providers users rely on still resolve in the shipped build (the SDK crates
//! are built with `default-features = false`): the real binary, given only a profile file, a
//! `credential_process` or a web-identity token, reaches moto and audits the identity those
//! credentials belong to. No secret appears in anything the scan prints or writes.

mod support;

use std::os::unix::fs::PermissionsExt;

use serde_json::Value;
use support::account::TestAccount;
use support::bedrock_server::BedrockSeed;
use support::scanner::{run_binary, ScanEnv};

const REGION: &str = "us-east-1";
/// moto's default account, where IAM users created with the test credentials live.
const MOTO_ACCOUNT: &str = "123456789012";

/// An access key of a new IAM user in moto: GetCallerIdentity signed with it names the user.
struct UserKey {
    user: String,
    access_key_id: String,
    secret: String,
}

async fn create_user_key(account: &TestAccount, user: &str) -> UserKey {
    let config = support::seed::sdk_config(&account.moto.url(), REGION).await;
    let iam = aws_sdk_iam::Client::new(&config);
    iam.create_user()
        .user_name(user)
        .send()
        .await
        .expect("CreateUser");
    let key = iam
        .create_access_key()
        .user_name(user)
        .send()
        .await
        .expect("CreateAccessKey");
    let key = key.access_key().expect("an access key");
    UserKey {
        user: user.into(),
        access_key_id: key.access_key_id().to_string(),
        secret: key.secret_access_key().to_string(),
    }
}

/// The scan's environment with no credentials in it: they must come from where the test says.
fn env_without_keys(account: &TestAccount) -> ScanEnv {
    let mut env = account.env();
    env.remove("AWS_ACCESS_KEY_ID");
    env.remove("AWS_SECRET_ACCESS_KEY");
    env
}

fn write_aws_file(account: &TestAccount, name: &str, text: &str) {
    let dir = account.path("home/.aws");
    std::fs::create_dir_all(&dir).expect("create ~/.aws");
    std::fs::write(dir.join(name), text).expect("write AWS file");
}

/// What one scan saw: the identity in its snapshot and the operations moto received.
struct Audited {
    identity: Value,
    operations: Vec<String>,
    output: String,
}

/// Runs `bedrock-audit scan` with `env` (and `extra` flags), saving the snapshot. Credential
/// resolution may call STS (AssumeRoleWithWebIdentity); everything else must be a read.
fn scan(account: &TestAccount, env: &ScanEnv, extra: &[&str]) -> Audited {
    let snapshot_path = account.path("snapshot.json");
    let _ = std::fs::remove_file(&snapshot_path);
    let mut args: Vec<String> = ["scan", "--quiet", "--format", "json", "--region", REGION]
        .iter()
        .map(|a| a.to_string())
        .collect();
    args.extend([
        "--save-snapshot".into(),
        snapshot_path.display().to_string(),
    ]);
    args.extend(extra.iter().map(|a| a.to_string()));

    account.moto.start_recording();
    let (code, stdout, stderr, _) = run_binary(env, &args);
    let calls = account.moto.stop_recording();
    assert!(
        code == 0 || code == 1,
        "the scan produced no report (exit {code}):\n{stderr}"
    );
    let operations: Vec<String> = calls.iter().map(|c| c.operation.clone()).collect();
    for op in &operations {
        let read = ["Describe", "List", "Get"]
            .iter()
            .any(|p| op.starts_with(p));
        assert!(
            read || op == "AssumeRoleWithWebIdentity",
            "the scan sent {op} to moto: {operations:?}"
        );
    }
    let snapshot_text = std::fs::read_to_string(&snapshot_path).expect("snapshot written");
    let snapshot: Value = serde_json::from_str(&snapshot_text).expect("snapshot is JSON");
    Audited {
        identity: snapshot["accounts"][0]["identity"].clone(),
        operations,
        output: format!("{stdout}\n{stderr}\n{snapshot_text}"),
    }
}

impl Audited {
    fn arn(&self) -> &str {
        self.identity["data"]["arn"].as_str().unwrap_or_else(|| {
            panic!(
                "the caller identity was not read: {}\n{}",
                self.identity, self.output
            )
        })
    }

    fn account(&self) -> &str {
        self.identity["data"]["account"]
            .as_str()
            .unwrap_or_default()
    }

    fn assert_no_secret(&self, secret: &str) {
        assert!(
            !self.output.contains(secret),
            "a secret appeared in the scan's output or snapshot"
        );
    }
}

#[tokio::test]
async fn profile_file_credentials_are_used() {
    let account = TestAccount::new(BedrockSeed::default());
    let auditor = create_user_key(&account, "auditor").await;
    let other = create_user_key(&account, "someone-else").await;
    write_aws_file(
        &account,
        "credentials",
        &format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n\
             [auditor]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            other.access_key_id, other.secret, auditor.access_key_id, auditor.secret
        ),
    );

    // AWS_PROFILE picks the section; without it the default section is used.
    let mut env = env_without_keys(&account);
    env.set("AWS_PROFILE", "auditor");
    let audited = scan(&account, &env, &[]);
    assert_eq!(
        audited.arn(),
        format!("arn:aws:iam::{MOTO_ACCOUNT}:user/{}", auditor.user)
    );
    assert_eq!(audited.account(), MOTO_ACCOUNT);
    assert!(audited
        .operations
        .iter()
        .any(|op| op == "DescribeLogGroups"));
    audited.assert_no_secret(&auditor.secret);

    // --profile does the same.
    let audited = scan(
        &account,
        &env_without_keys(&account),
        &["--profile", "auditor"],
    );
    assert_eq!(
        audited.arn(),
        format!("arn:aws:iam::{MOTO_ACCOUNT}:user/{}", auditor.user)
    );

    let audited = scan(&account, &env_without_keys(&account), &[]);
    assert_eq!(
        audited.arn(),
        format!("arn:aws:iam::{MOTO_ACCOUNT}:user/{}", other.user)
    );
    audited.assert_no_secret(&other.secret);
}

#[tokio::test]
async fn credential_process_credentials_are_used() {
    let account = TestAccount::new(BedrockSeed::default());
    let key = create_user_key(&account, "from-process").await;
    // What `aws configure export-credentials --format process` and SSO helpers print.
    let script = account.write(
        "print-credentials.sh",
        &format!(
            "#!/bin/sh\nprintf '%s\\n' '{{\"Version\": 1, \"AccessKeyId\": \"{}\", \"SecretAccessKey\": \"{}\"}}'\n",
            key.access_key_id, key.secret
        ),
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .expect("make the script executable");
    write_aws_file(
        &account,
        "config",
        &format!(
            "[profile tooling]\ncredential_process = {}\nregion = {REGION}\n",
            script.display()
        ),
    );

    let mut env = env_without_keys(&account);
    env.set("AWS_PROFILE", "tooling");
    let audited = scan(&account, &env, &[]);
    assert_eq!(
        audited.arn(),
        format!("arn:aws:iam::{MOTO_ACCOUNT}:user/{}", key.user)
    );
    audited.assert_no_secret(&key.secret);
}

#[tokio::test]
async fn web_identity_credentials_are_used() {
    let account = TestAccount::new(BedrockSeed::default());
    // A CI job's OIDC token for a role in another account (moto does not check the token).
    let token = account.write(
        "web-identity-token",
        "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl",
    );
    let mut env = env_without_keys(&account);
    env.set("AWS_WEB_IDENTITY_TOKEN_FILE", &token.display().to_string());
    env.set("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/ci-audit");
    env.set("AWS_ROLE_SESSION_NAME", "pipeline-42");

    let audited = scan(&account, &env, &[]);
    assert_eq!(
        audited.arn(),
        "arn:aws:sts::111122223333:assumed-role/ci-audit/pipeline-42"
    );
    assert_eq!(audited.account(), "111122223333");
    // Twice today: once by the up-front credentials check, once through the clients'
    // identity cache (see the report of issue 12).
    assert!(
        audited
            .operations
            .iter()
            .any(|op| op == "AssumeRoleWithWebIdentity"),
        "the role was not assumed through moto: {:?}",
        audited.operations
    );
    assert!(!audited.output.contains("c2lnbmF0dXJl"), "the token leaked");
}
