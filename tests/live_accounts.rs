//! `scan --accounts`: several accounts in one run, against moto, whose sts:AssumeRole into
//! `arn:aws:iam::<member>:role/<any>` gives isolated member accounts, behind our test server,
//! which denies AssumeRole into the accounts a scenario names. Asserts that an account whose
//! role cannot be assumed is `error` for every rule while the others go on, that nothing of one
//! account appears in another's findings, and that the scan renews assumed-role credentials.

mod support;

use serde_json::Value;
use support::account::TestAccount;
use support::scanner::{ScanEnv, ScanRun};
use support::seed::{member_config, sdk_config};

const EAST: &str = "us-east-1";
/// moto's default account: the scanner's own.
const OWN: &str = "123456789012";
const MEMBER: &str = "111111111111";
const NO_ROLE: &str = "222222222222";
const MEMBER_GROUP: &str = "/member/only-in-111111111111";

/// Creates a log group in `account` with credentials from assuming a role there.
async fn seed_member(account: &TestAccount, member: &str) {
    let config = member_config(&account.moto.url(), EAST, member).await;
    aws_sdk_cloudwatchlogs::Client::new(&config)
        .create_log_group()
        .log_group_name(MEMBER_GROUP)
        .send()
        .await
        .expect("member log group");
}

fn scan(account: &TestAccount, env: &ScanEnv, extra: &[&str]) -> ScanRun {
    let mut args = vec!["scan", "--format", "json", "--region", EAST, "--quiet"];
    args.extend_from_slice(extra);
    // The runner checks that only reads were sent, and AssumeRole for a scan of accounts.
    account.run_with_env(env, &args)
}

fn findings_of_account<'a>(report: &'a Value, account: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["account"] == account)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organisation_of_three_accounts_one_without_its_role() {
    let (account, ready) = TestAccount::ready(&[EAST]).await;
    seed_member(&account, MEMBER).await;
    account
        .bedrock
        .update(|seed| seed.account.assume_role_denied_accounts = vec![NO_ROLE.to_string()]);
    let snapshots = account.path("organisation.snapshot.json");
    let trace = account.path("calls.jsonl");
    let run = scan(
        &account,
        &account.env(),
        &[
            "--accounts",
            &format!("{OWN},{MEMBER},{NO_ROLE}"),
            "--save-snapshot",
            &snapshots.display().to_string(),
            "--trace-calls",
            &trace.display().to_string(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.describe());
    let report = run.report();
    assert_eq!(
        report["scan"]["accounts"],
        serde_json::json!([OWN, MEMBER, NO_ROLE])
    );

    // The account without its role: one error per rule, saying why; the others go on.
    let denied = findings_of_account(&report, NO_ROLE);
    assert_eq!(denied.len(), bedrock_audit::rules::REGISTRY.len());
    for f in &denied {
        assert_eq!(f["status"], "error", "{f}");
        let message = f["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("sts:AssumeRole") && message.contains("AccessDenied"),
            "{message}"
        );
    }
    let verdicts: Vec<(String, String)> = report["summary"]["accounts"]
        .as_array()
        .expect("summary.accounts")
        .iter()
        .map(|a| {
            (
                a["account"].as_str().unwrap_or_default().to_string(),
                a["verdict"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(verdicts.len(), 3, "{verdicts:?}");
    assert!(
        verdicts.contains(&(NO_ROLE.to_string(), "INCOMPLETE".to_string())),
        "{verdicts:?}"
    );

    // Nothing of one account in another's findings.
    let own_text = serde_json::to_string(&findings_of_account(&report, OWN)).unwrap();
    let member_text = serde_json::to_string(&findings_of_account(&report, MEMBER)).unwrap();
    assert!(
        member_text.contains(MEMBER_GROUP),
        "the member's own log group is judged"
    );
    assert!(
        !own_text.contains(MEMBER_GROUP),
        "the member's log group leaked into the scanner's account"
    );
    let own_resources = [
        ready[0].trail_name.as_str(),
        ready[0].key.id.as_str(),
        ready[0].network.endpoint_id.as_str(),
    ];
    for resource in own_resources {
        assert!(
            own_text.contains(resource),
            "{resource} judged in the scanner's account"
        );
        assert!(
            !member_text.contains(resource),
            "{resource} leaked into the member's findings"
        );
    }
    assert!(
        findings_of_account(&report, MEMBER)
            .iter()
            .any(|f| f["status"] == "fail"),
        "the empty member account is not ready"
    );

    // One trace for the run, every call filed under the account it read.
    let mut traced: Vec<String> = std::fs::read_to_string(&trace)
        .expect("trace written")
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).expect("a JSON line");
            record["account"].as_str().expect("account").to_string()
        })
        .collect();
    traced.sort();
    traced.dedup();
    assert_eq!(
        traced,
        [MEMBER, OWN],
        "no call for the account without its role"
    );

    // One file holding every account, the one whose role was denied too, so evaluating it
    // gives the scan's report again.
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshots).expect("snapshot file"))
            .expect("snapshot JSON");
    assert_eq!(saved["schema_version"], 2);
    let saved_accounts: Vec<&Value> = saved["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| &a["identity"]["data"]["account"])
        .collect();
    assert_eq!(saved_accounts, [OWN, MEMBER]);
    assert_eq!(saved["unreadable_accounts"][0]["account"], NO_ROLE);
    let joined = account.run(&[
        "evaluate",
        "--snapshot",
        &snapshots.display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(joined.code, run.code);
    assert_eq!(joined.report()["summary"], report["summary"]);
    let joined_report = joined.report();
    for who in [OWN, MEMBER, NO_ROLE] {
        let statuses = |r: &Value| -> Vec<String> {
            let mut v: Vec<String> = findings_of_account(r, who)
                .iter()
                .map(|f| format!("{} {} {}", f["rule_id"], f["resource"], f["status"]))
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            statuses(&joined_report),
            statuses(&report),
            "{who}: the join reproduces the scan"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn excluded_accounts_are_not_scanned_and_bad_ids_are_refused() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let list = account.write(
        "accounts.txt",
        &format!("# business units\n{OWN}\n{MEMBER}  # research\n{NO_ROLE}\n"),
    );
    let run = scan(
        &account,
        &account.env(),
        &[
            "--accounts-file",
            &list.display().to_string(),
            "--exclude-accounts",
            NO_ROLE,
        ],
    );
    assert_eq!(
        run.report()["scan"]["accounts"],
        serde_json::json!([OWN, MEMBER]),
        "{}",
        run.describe()
    );

    let bad = account.run(&["scan", "--region", EAST, "--accounts", "12345"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("--accounts") && bad.stderr.contains("12345"),
        "{}",
        bad.stderr
    );
    let none_left = account.run(&[
        "scan",
        "--region",
        EAST,
        "--accounts",
        OWN,
        "--exclude-accounts",
        OWN,
    ]);
    assert_eq!(none_left.code, 2);
    assert!(
        none_left.stderr.contains("no account is left"),
        "{}",
        none_left.stderr
    );
    let evidence = account.run(&[
        "scan",
        "--region",
        EAST,
        "--accounts",
        OWN,
        "--evidence",
        "bundle",
    ]);
    assert_eq!(evidence.code, 2, "{}", evidence.describe());
}

#[tokio::test(flavor = "multi_thread")]
async fn assumed_role_credentials_are_renewed_when_they_expire_mid_scan() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    let mut env = account.env();
    // A session that expires at once: every refresh of the credentials cache assumes again.
    env.set("BEDROCK_AUDIT_ROLE_SESSION_SECONDS", "1");
    let run = scan(&account, &env, &["--accounts", MEMBER]);
    assert_eq!(
        run.report()["scan"]["accounts"],
        serde_json::json!([MEMBER]),
        "{}",
        run.describe()
    );
    let assumed = run
        .moto_calls
        .iter()
        .filter(|c| c.operation == "AssumeRole")
        .count();
    assert!(
        assumed > 1,
        "the role was assumed {assumed} time(s): expired credentials were not renewed"
    );
    assert!(
        findings_of_account(&run.report(), MEMBER)
            .iter()
            .all(|f| f["status"] != "error"
                || !f["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("ExpiredToken")),
        "a call went out with expired credentials\n{}",
        run.describe()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn org_scans_every_active_account_of_the_organization() {
    let (account, _) = TestAccount::ready(&[EAST]).await;
    // Without an organisation the listing fails (AWS) or is empty (moto 5.2.5 answers an empty
    // list), and the run stops rather than scan nothing or a part.
    let no_org = account.run(&["scan", "--region", EAST, "--org", "--format", "json"]);
    assert_eq!(no_org.code, 2, "{}", no_org.describe());
    assert!(
        no_org.stderr.contains("organizations:ListAccounts"),
        "{}",
        no_org.stderr
    );

    let config = sdk_config(&account.moto.url(), EAST).await;
    let organizations = aws_sdk_organizations::Client::new(&config);
    organizations
        .create_organization()
        .send()
        .await
        .expect("create organization");
    let mut members = Vec::new();
    for name in ["research", "no-role"] {
        let created = organizations
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .expect("create account");
        members.push(
            created
                .create_account_status()
                .and_then(|s| s.account_id())
                .expect("account id")
                .to_string(),
        );
    }
    let denied = members[1].clone();
    account
        .bedrock
        .update(|seed| seed.account.assume_role_denied_accounts = vec![denied.clone()]);
    let run = scan(&account, &account.env(), &["--org"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let report = run.report();
    let scanned: Vec<&str> = report["scan"]["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for expected in [OWN, members[0].as_str(), denied.as_str()] {
        assert!(
            scanned.contains(&expected),
            "{expected} not scanned: {scanned:?}"
        );
    }
    assert!(findings_of_account(&report, &denied)
        .iter()
        .all(|f| f["status"] == "error"));
    assert!(run
        .moto_operations()
        .iter()
        .any(|o| o == "organizations:ListAccounts"));

    // Exclusions apply to the organisation's list too.
    let org_run = scan(
        &account,
        &account.env(),
        &["--org", "--exclude-accounts", &denied],
    );
    let org_report = org_run.report();
    assert!(findings_of_account(&org_report, &denied).is_empty());

    // Three snapshots made by separate scans, one account each (the one whose role is denied
    // is saved as unreadable), joined by `evaluate`, give the same findings, verdicts and exit
    // code as the one --org run over the same accounts.
    let shards = account.path("shards");
    std::fs::create_dir_all(&shards).expect("shards dir");
    for who in [OWN, members[0].as_str(), denied.as_str()] {
        let shard = shards.join(format!("{who}.json"));
        let run = scan(
            &account,
            &account.env(),
            &[
                "--accounts",
                who,
                "--save-snapshot",
                &shard.display().to_string(),
            ],
        );
        assert!(run.code <= 1, "{}", run.describe());
    }
    let joined = account.run(&[
        "evaluate",
        "--snapshot",
        &shards.display().to_string(),
        "--format",
        "json",
    ]);
    let joined_report = joined.report();
    let keys = |report: &Value| -> Vec<String> {
        let mut keys: Vec<String> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                format!(
                    "{} {} {} {} {}",
                    f["account"], f["rule_id"], f["region"], f["resource"], f["status"]
                )
            })
            .collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&joined_report), keys(&report));
    // Counts, and each account's counts and verdict.
    assert_eq!(joined_report["summary"], report["summary"]);
    assert_eq!(joined.code, run.code);
}
