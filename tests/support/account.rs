//! A test account: a leased moto server, a Bedrock test server and a scratch directory,
//! with a runner that records every call the scanner made.

use std::path::{Path, PathBuf};

use super::bedrock_server::{BedrockSeed, BedrockServer, US_DESTINATIONS};
use super::moto::{self, MotoLease};
use super::scanner::{run_binary, ScanEnv, ScanRun};
use super::seed::{
    seed_ready_region_with, EndpointSpec, ReadyRegion, Seeder, INVOCATION_LOG_GROUP,
};

pub struct TestAccount {
    pub moto: MotoLease,
    pub bedrock: BedrockServer,
    pub dir: tempfile::TempDir,
}

impl TestAccount {
    /// Empty moto state and the given Bedrock state.
    pub fn new(seed: BedrockSeed) -> TestAccount {
        let moto = moto::lease();
        let bedrock = BedrockServer::in_front_of(seed, moto.addr());
        TestAccount {
            moto,
            bedrock,
            dir: tempfile::tempdir().expect("scratch directory"),
        }
    }

    /// An account ready for Claude Code in every given region: moto seeded by
    /// [`super::seed::seed_ready_region`], Bedrock with model access, the `us.` profiles and invocation
    /// logging to [`INVOCATION_LOG_GROUP`].
    pub async fn ready(regions: &[&str]) -> (TestAccount, Vec<ReadyRegion>) {
        TestAccount::ready_with(regions, EndpointSpec::PrivateDns).await
    }

    /// [`TestAccount::ready`] with a chosen Bedrock Runtime endpoint in every region.
    pub async fn ready_with(
        regions: &[&str],
        endpoint: EndpointSpec,
    ) -> (TestAccount, Vec<ReadyRegion>) {
        // Cross-region profiles route to every US destination, so those regions grant
        // model access too, whether or not the scan targets them.
        let mut bedrock_regions: Vec<&str> = US_DESTINATIONS.to_vec();
        bedrock_regions.extend(regions.iter().filter(|r| !US_DESTINATIONS.contains(r)));
        let mut seed = BedrockSeed::claude_ready(&bedrock_regions);
        for region in regions {
            let state = std::mem::take(seed.region_mut(region));
            *seed.region_mut(region) = state.with_invocation_logging(INVOCATION_LOG_GROUP);
        }
        let account = TestAccount::new(seed);
        let mut ready = Vec::new();
        for region in regions {
            ready.push(
                seed_ready_region_with(&account.moto, region, endpoint)
                    .await
                    .unwrap_or_else(|e| panic!("seeding {region}: {e}")),
            );
        }
        (account, ready)
    }

    pub async fn seeder(&self, region: &str) -> Seeder {
        Seeder::new(&self.moto, region).await
    }

    /// A path in the scratch directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file in the scratch directory and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).expect("write scratch file");
        path
    }

    /// The scanner sees one endpoint, as it would see AWS: our server, which answers what
    /// moto lacks and forwards the rest.
    pub fn env(&self) -> ScanEnv {
        ScanEnv::single_endpoint(self.dir.path(), &self.bedrock.url())
    }

    /// Runs `bedrock-audit <args>` and asserts it made only read calls.
    pub fn run(&self, args: &[&str]) -> ScanRun {
        self.run_with_env(&self.env(), args)
    }

    /// `scan --format json --region <region> --config <profile>`, the profile written to
    /// `file`; the SDK's retries are kept (throttling is under test) but not their production
    /// back-off.
    pub fn scan_with_profile(&self, file: &str, profile: &str, region: &str) -> ScanRun {
        let config = self.write(file, profile);
        let mut env = self.env();
        env.set("BEDROCK_AUDIT_INITIAL_BACKOFF_MS", "10");
        self.run_with_env(
            &env,
            &[
                "scan",
                "--format",
                "json",
                "--region",
                region,
                "--config",
                &config.display().to_string(),
            ],
        )
    }

    pub fn run_with_env(&self, env: &ScanEnv, args: &[&str]) -> ScanRun {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        self.bedrock.take_calls();
        self.moto.start_recording();
        let (code, stdout, stderr, elapsed) = run_binary(env, &args);
        let run = ScanRun {
            args,
            code,
            stdout,
            stderr,
            elapsed,
            moto_calls: self.moto.stop_recording(),
            bedrock_calls: self.bedrock.take_calls(),
        };
        run.assert_read_only();
        run
    }

    /// `bedrock-audit scan --format json --region … <extra>`.
    pub fn scan_json(&self, regions: &[&str], extra: &[&str]) -> ScanRun {
        let mut args = vec!["scan", "--format", "json"];
        for region in regions {
            args.extend(["--region", region]);
        }
        args.extend_from_slice(extra);
        self.run(&args)
    }

    pub fn dir_path(&self) -> &Path {
        self.dir.path()
    }
}
