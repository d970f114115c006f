//! The benchmark account for `scripts/bench-scan` (ignored: it serves until told to stop).
//!
//! Seeds a fresh moto server and a Bedrock test server with a larger-than-life account in two
//! regions, writes the endpoints as `KEY=value` lines to `$BENCH_READY_FILE`, then serves
//! until that file is deleted. Sizes are account totals, split evenly across the regions, and
//! can be changed with `BENCH_LOG_GROUPS` (2000) and `BENCH_KMS_KEYS` (20).
//!
//! With `BENCH_MEMBER_ACCOUNTS=N` it seeds N member accounts instead (moto files what a role
//! assumed in `arn:aws:iam::<member>:role/…` creates under that account), each with, in each
//! region, a bedrock-runtime endpoint, a trail, `BENCH_MEMBER_LOG_GROUPS` (200) log groups and
//! `BENCH_MEMBER_KMS_KEYS` (5) keys, and writes their ids, one per line, to
//! `$BENCH_READY_FILE.accounts` for `scan --accounts-file`.

mod support;

use std::time::{Duration, Instant};

use support::bedrock_server::{BedrockSeed, BedrockServer, US_DESTINATIONS};
use support::moto::Moto;
use support::seed::{EndpointSpec, LogGroupSpec, Seeder, TrailSpec, INVOCATION_LOG_GROUP};

const REGIONS: [&str; 2] = ["us-east-1", "us-west-2"];
/// The fixture stops by itself after this, should the script that started it be gone.
const MAX_SERVE: Duration = Duration::from_secs(2 * 60 * 60);

fn count_from_env(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?}: expected a whole number")),
        Err(_) => default,
    }
}

#[tokio::test]
#[ignore = "serves the benchmark account until $BENCH_READY_FILE is deleted; run by scripts/bench-scan"]
async fn serve_benchmark_account() {
    let ready_file = std::env::var("BENCH_READY_FILE").expect("BENCH_READY_FILE must name a file");
    let log_groups = count_from_env("BENCH_LOG_GROUPS", 2000);
    let kms_keys = count_from_env("BENCH_KMS_KEYS", 20).max(REGIONS.len());
    let started = Instant::now();

    let moto = Moto::start();
    let mut seed = BedrockSeed::claude_ready(&US_DESTINATIONS);
    // Real pages hold up to 1,000 profiles; the tests' tiny pages would inflate the count.
    seed.profile_page_size = 1000;
    for region in REGIONS {
        let state = std::mem::take(seed.region_mut(region));
        *seed.region_mut(region) = state.with_invocation_logging(INVOCATION_LOG_GROUP);
    }
    let users = count_from_env("BENCH_USERS", 5000);
    // A few long-term Bedrock API keys among the users, one of them Active.
    seed.account.api_keys = vec![
        support::account_server::SeedApiKey::new(
            "bench-user-00007",
            "ACCABENCHACTIVE00001",
            "Active",
        ),
        support::account_server::SeedApiKey::new(
            "bench-user-00042",
            "ACCABENCHINACTIVE001",
            "Inactive",
        ),
    ];
    // Real pages: SimulatePrincipalPolicy returns up to 1,000 results, ListServiceQuotas 100.
    seed.account.simulation_page_size = 1000;
    seed.account.quota_page_size = 100;
    // One endpoint for the account: Bedrock, IAM simulation, API keys and quotas answered
    // there, everything else forwarded to moto.
    let bedrock = BedrockServer::in_front_of(seed, moto.addr());
    let members = count_from_env("BENCH_MEMBER_ACCOUNTS", 0);
    if members > 0 {
        let description = seed_member_accounts(&moto, &ready_file, members).await;
        publish(&ready_file, &bedrock, &description, started);
        serve_until_deleted(&ready_file, &bedrock).await;
        return;
    }
    seed_users(&moto, users).await;

    let mut trails = 0;
    for (index, region) in REGIONS.iter().enumerate() {
        let seeder = Seeder::new(&moto, region).await;
        seeder
            .bedrock_runtime_endpoint(EndpointSpec::PrivateDns)
            .await
            .expect("endpoint");
        let mut keys = Vec::new();
        for k in 0..kms_keys / REGIONS.len() {
            // Every fifth key without rotation, so the KMS rule has failures to report.
            let key = seeder
                .kms_key(&format!("bench key {k}"), k % 5 != 0)
                .await
                .expect("key");
            keys.push(key);
        }
        // Three trails in all: a multi-region organisation trail plus one regional trail
        // per region.
        if index == 0 {
            seeder
                .trail(&TrailSpec::good("org-trail", &keys[0].arn))
                .await
                .expect("org trail");
            trails += 1;
        }
        let mut regional = TrailSpec::good(&format!("regional-{region}"), &keys[0].arn);
        regional.multi_region = false;
        seeder.trail(&regional).await.expect("regional trail");
        trails += 1;

        let per_region = log_groups / REGIONS.len();
        let groups = (0..per_region)
            .map(|i| {
                let name = if i == 0 {
                    INVOCATION_LOG_GROUP.to_string()
                } else {
                    format!("/bench/{region}/service-{i:05}")
                };
                // A realistic mix: most groups keep 90 days, some never expire.
                let retention = if i % 10 == 3 { None } else { Some(90) };
                let spec = LogGroupSpec::new(name, retention);
                if i % 2 == 0 {
                    spec.encrypted(&keys[(i / 2) % keys.len()].arn)
                } else {
                    spec
                }
            })
            .collect();
        seeder.log_groups(groups).await.expect("log groups");
    }

    let description = format!(
        "{} regions, 1 VPC + bedrock-runtime endpoint per region, {trails} trails, {} log groups, {} KMS keys, {users} IAM users",
        REGIONS.len(),
        log_groups / REGIONS.len() * REGIONS.len(),
        kms_keys / REGIONS.len() * REGIONS.len(),
    );
    publish(&ready_file, &bedrock, &description, started);
    serve_until_deleted(&ready_file, &bedrock).await;
}

/// Writes the endpoints and what was seeded to the ready file, which tells the script to go.
fn publish(ready_file: &str, bedrock: &BedrockServer, description: &str, started: Instant) {
    let contents = format!(
        "AWS_ENDPOINT_URL={}\nBENCH_REGIONS={}\nBENCH_ACCOUNT=\"{description}\"\nBENCH_SEED_SECONDS={:.1}\n",
        bedrock.url(),
        REGIONS.join(","),
        started.elapsed().as_secs_f64(),
    );
    // Write then rename, so the script never reads half a file.
    let partial = format!("{ready_file}.partial");
    std::fs::write(&partial, contents).expect("write ready file");
    std::fs::rename(&partial, ready_file).expect("publish ready file");
    eprintln!("bench fixture: {description}; serving until {ready_file} is deleted");
}

async fn serve_until_deleted(ready_file: &str, bedrock: &BedrockServer) {
    let deadline = Instant::now() + MAX_SERVE;
    while std::path::Path::new(ready_file).exists() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "bench fixture: {} Bedrock requests served",
        bedrock.calls().len()
    );
}

/// Seeds `count` member accounts, 4 at a time, and writes their ids to
/// `<ready_file>.accounts`; returns what was seeded, in words.
async fn seed_member_accounts(moto: &Moto, ready_file: &str, count: usize) -> String {
    use futures::StreamExt;
    let log_groups = count_from_env("BENCH_MEMBER_LOG_GROUPS", 200);
    let kms_keys = count_from_env("BENCH_MEMBER_KMS_KEYS", 5).max(1);
    // 12-digit ids that are nobody's: moto makes the account on first use.
    let ids: Vec<String> = (0..count)
        .map(|i| format!("{}", 210_000_000_000_u64 + i as u64))
        .collect();
    futures::stream::iter(ids.iter())
        .map(|id| seed_member(moto, id, log_groups, kms_keys))
        .buffer_unordered(4)
        .collect::<Vec<()>>()
        .await;
    std::fs::write(format!("{ready_file}.accounts"), ids.join("\n") + "\n")
        .expect("write the account list");
    format!(
        "{count} member accounts × {} regions, each region with 1 VPC + bedrock-runtime endpoint, 1 trail, {log_groups} log groups and {kms_keys} KMS keys",
        REGIONS.len()
    )
}

async fn seed_member(moto: &Moto, account: &str, log_groups: usize, kms_keys: usize) {
    for region in REGIONS {
        let config = support::seed::member_config(&moto.url(), region, account).await;
        let seeder = Seeder::with_config(moto, region, &config);
        seeder
            .bedrock_runtime_endpoint(EndpointSpec::PrivateDns)
            .await
            .expect("member endpoint");
        let mut keys = Vec::new();
        for k in 0..kms_keys {
            keys.push(
                seeder
                    .kms_key(&format!("member key {k}"), k % 5 != 0)
                    .await
                    .expect("member key"),
            );
        }
        seeder
            .trail(&TrailSpec::good(&format!("member-{region}"), &keys[0].arn))
            .await
            .expect("member trail");
        let groups = (0..log_groups)
            .map(|i| {
                let spec = LogGroupSpec::new(
                    format!("/member/{region}/service-{i:04}"),
                    (i % 10 != 3).then_some(90),
                );
                if i % 2 == 0 {
                    spec.encrypted(&keys[(i / 2) % keys.len()].arn)
                } else {
                    spec
                }
            })
            .collect();
        seeder.log_groups(groups).await.expect("member log groups");
    }
}

/// IAM users in moto, 16 at a time (moto answers iam:ListUsers itself).
async fn seed_users(moto: &Moto, count: usize) {
    use futures::StreamExt;
    let config = support::seed::sdk_config(&moto.url(), "us-east-1").await;
    let iam = aws_sdk_iam::Client::new(&config);
    let failures = futures::stream::iter(0..count)
        .map(|i| {
            let iam = iam.clone();
            async move {
                iam.create_user()
                    .user_name(format!("bench-user-{i:05}"))
                    .send()
                    .await
                    .is_err()
            }
        })
        .buffer_unordered(16)
        .filter(|failed| std::future::ready(*failed))
        .count()
        .await;
    assert_eq!(
        failures, 0,
        "{failures} of {count} users could not be created"
    );
}
