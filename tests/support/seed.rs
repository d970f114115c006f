//! Seeds moto through the real AWS SDK: the same clients, the same wire protocol the scanner
//! uses, so a seeded resource is one the scanner can read back.
//!
//! moto 5.2.5 quirks, checked against it while writing the private-path and prompt-logging
//! scenarios (the scanner accepts what AWS documents, and these are within it):
//! - VPC endpoint states are lower case (`available`), where AWS documents `Available`; the
//!   rules compare case-insensitively.
//! - An interface endpoint created without a policy gets the full-access default, with
//!   `"Version": "2008-10-17"`, as AWS does.
//! - Subnets carry an `AvailabilityZoneId` (`use1-az6`), which the AZ check prefers to the name.
//! - `ListBuckets` honours `Prefix`.
//! - A bucket without default encryption, public access block or lifecycle answers
//!   `ServerSideEncryptionConfigurationNotFoundError`, `NoSuchPublicAccessBlockConfiguration`
//!   and `NoSuchLifecycleConfiguration` (404), as S3 does; the scanner reads them as "none".
//! - S3 requests to moto's IP-address endpoint are path-style (`/<bucket>?encryption`), which the
//!   test server's AccessDenied injection and the call log rely on.
//! - moto's request recorder names REST calls by method and URL only; `moto.rs` names the S3
//!   reads the scanner makes, and leaves anything else unnamed so no read check accepts it.

use aws_config::BehaviorVersion;
use aws_sdk_cloudtrail::types::{EventSelector, ReadWriteType};
use aws_sdk_ec2::types::{AttributeBooleanValue, IpPermission, IpRange, VpcEndpointType};
use aws_types::region::Region;
use futures::{StreamExt, TryStreamExt};

use super::moto::Moto;

pub type SeedResult<T> = Result<T, String>;

/// SDK configuration that talks only to the given moto server, with test credentials and
/// nothing read from the environment that could point elsewhere.
pub async fn sdk_config(endpoint: &str, region: &str) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        // Retries as in production, without production's one-second back-off.
        .retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_initial_backoff(std::time::Duration::from_millis(10)),
        )
        .load()
        .await
}

fn sdk_error<E: std::error::Error>(what: &str) -> impl Fn(E) -> String + '_ {
    move |e| {
        format!(
            "{what}: {}",
            aws_smithy_types::error::display::DisplayErrorContext(e)
        )
    }
}

#[derive(Debug, Clone)]
pub struct Key {
    pub id: String,
    pub arn: String,
}

#[derive(Debug, Clone)]
pub struct Network {
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    /// Empty when the endpoint was seeded as [`EndpointSpec::Missing`].
    pub endpoint_id: String,
}

/// What [`Seeder::private_path`] adds to a ready region's network.
#[derive(Debug, Clone)]
pub struct PrivatePathSpec {
    /// Endpoints besides bedrock-runtime: `bedrock`, `sts`.
    pub services: Vec<&'static str>,
    pub one_zone: bool,
    pub open_to_world: bool,
    /// `None`: moto's default full-access policy.
    pub runtime_policy: Option<String>,
}

impl PrivatePathSpec {
    pub fn complete() -> PrivatePathSpec {
        PrivatePathSpec {
            services: vec!["bedrock", "sts"],
            one_zone: false,
            open_to_world: false,
            runtime_policy: None,
        }
    }
}

/// How a seeded trail looks; [`TrailSpec::good`] is what a ready account has.
#[derive(Debug, Clone)]
pub struct TrailSpec {
    pub name: String,
    pub multi_region: bool,
    pub log_file_validation: bool,
    pub kms_key_arn: Option<String>,
    pub logging: bool,
    /// `None` leaves moto's (empty) selectors; `Some(rw)` puts one basic selector with
    /// management events of that read/write type.
    pub management_events: Option<ReadWriteType>,
}

impl TrailSpec {
    pub fn good(name: &str, kms_key_arn: &str) -> TrailSpec {
        TrailSpec {
            name: name.into(),
            multi_region: true,
            log_file_validation: true,
            kms_key_arn: Some(kms_key_arn.into()),
            logging: true,
            management_events: Some(ReadWriteType::All),
        }
    }
}

#[derive(Debug, Clone)]
pub struct LogGroupSpec {
    pub name: String,
    pub retention_days: Option<i32>,
    pub kms_key_arn: Option<String>,
}

impl LogGroupSpec {
    pub fn new(name: impl Into<String>, retention_days: Option<i32>) -> LogGroupSpec {
        LogGroupSpec {
            name: name.into(),
            retention_days,
            kms_key_arn: None,
        }
    }

    pub fn encrypted(mut self, kms_key_arn: &str) -> LogGroupSpec {
        self.kms_key_arn = Some(kms_key_arn.into());
        self
    }
}

/// SDK clients for one region of one moto server.
pub struct Seeder {
    pub region: String,
    pub ec2: aws_sdk_ec2::Client,
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub kms: aws_sdk_kms::Client,
    pub s3: aws_sdk_s3::Client,
    pub iam: aws_sdk_iam::Client,
    moto_addr: std::net::SocketAddr,
}

/// SDK configuration for a moto member account: credentials from assuming a role there (moto
/// files everything made with them under that account).
pub async fn member_config(endpoint: &str, region: &str, account: &str) -> aws_config::SdkConfig {
    let base = sdk_config(endpoint, region).await;
    let assumed = aws_sdk_sts::Client::new(&base)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/Seeder"))
        .role_session_name("seed")
        .send()
        .await
        .unwrap_or_else(|e| panic!("assume a role in {account}: {e}"));
    let creds = assumed.credentials().expect("assumed-role credentials");
    base.to_builder()
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
            aws_sdk_sts::config::Credentials::new(
                creds.access_key_id(),
                creds.secret_access_key(),
                Some(creds.session_token().to_string()),
                None,
                "member",
            ),
        ))
        .build()
}

impl Seeder {
    pub async fn new(moto: &Moto, region: &str) -> Seeder {
        let config = sdk_config(&moto.url(), region).await;
        Seeder::with_config(moto, region, &config)
    }

    pub fn with_config(moto: &Moto, region: &str, config: &aws_config::SdkConfig) -> Seeder {
        let config = config.clone();
        Seeder {
            region: region.into(),
            ec2: aws_sdk_ec2::Client::new(&config),
            cloudtrail: aws_sdk_cloudtrail::Client::new(&config),
            logs: aws_sdk_cloudwatchlogs::Client::new(&config),
            kms: aws_sdk_kms::Client::new(&config),
            s3: aws_sdk_s3::Client::new(&config),
            iam: aws_sdk_iam::Client::new(&config),
            moto_addr: moto.addr(),
        }
    }

    /// A VPC with DNS support, a subnet, a security group admitting HTTPS from the VPC, and
    /// (unless `Missing`) an interface endpoint for `com.amazonaws.<region>.bedrock-runtime`.
    pub async fn bedrock_runtime_endpoint(&self, endpoint: EndpointSpec) -> SeedResult<Network> {
        let cidr = "10.20.0.0/16";
        let vpc_id = self
            .ec2
            .create_vpc()
            .cidr_block(cidr)
            .send()
            .await
            .map_err(sdk_error("CreateVpc"))?
            .vpc()
            .and_then(|v| v.vpc_id())
            .ok_or("CreateVpc returned no id")?
            .to_string();
        for hostnames in [false, true] {
            let on = AttributeBooleanValue::builder().value(true).build();
            let request = self.ec2.modify_vpc_attribute().vpc_id(&vpc_id);
            let request = if hostnames {
                request.enable_dns_hostnames(on)
            } else {
                request.enable_dns_support(on)
            };
            request
                .send()
                .await
                .map_err(sdk_error("ModifyVpcAttribute"))?;
        }
        let subnet_id = self.subnet(&vpc_id, "10.20.1.0/24", "a").await?;
        let security_group_id = self
            .ec2
            .create_security_group()
            .group_name("bedrock-runtime-endpoint")
            .description("HTTPS from the VPC to Bedrock Runtime")
            .vpc_id(&vpc_id)
            .send()
            .await
            .map_err(sdk_error("CreateSecurityGroup"))?
            .group_id()
            .ok_or("CreateSecurityGroup returned no id")?
            .to_string();
        self.admit_https(&security_group_id, cidr).await?;
        let private_dns = match endpoint {
            EndpointSpec::Missing => {
                return Ok(Network {
                    vpc_id,
                    subnet_id,
                    security_group_id,
                    endpoint_id: String::new(),
                })
            }
            EndpointSpec::PrivateDns => true,
            EndpointSpec::NoPrivateDns => false,
        };
        let endpoint_id = self
            .ec2
            .create_vpc_endpoint()
            .vpc_id(&vpc_id)
            .service_name(format!("com.amazonaws.{}.bedrock-runtime", self.region))
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .subnet_ids(&subnet_id)
            .security_group_ids(&security_group_id)
            .private_dns_enabled(private_dns)
            .send()
            .await
            .map_err(sdk_error("CreateVpcEndpoint"))?
            .vpc_endpoint()
            .and_then(|e| e.vpc_endpoint_id())
            .ok_or("CreateVpcEndpoint returned no id")?
            .to_string();
        Ok(Network {
            vpc_id,
            subnet_id,
            security_group_id,
            endpoint_id,
        })
    }

    /// A subnet of `vpc_id` in the region's zone `zone` (`a`, `b`, …).
    async fn subnet(&self, vpc_id: &str, cidr: &str, zone: &str) -> SeedResult<String> {
        Ok(self
            .ec2
            .create_subnet()
            .vpc_id(vpc_id)
            .cidr_block(cidr)
            .availability_zone(format!("{}{zone}", self.region))
            .send()
            .await
            .map_err(sdk_error("CreateSubnet"))?
            .subnet()
            .and_then(|s| s.subnet_id())
            .ok_or("CreateSubnet returned no id")?
            .to_string())
    }

    /// Lets TCP 443 into `group_id` from `cidr`.
    async fn admit_https(&self, group_id: &str, cidr: &str) -> SeedResult<()> {
        self.ec2
            .authorize_security_group_ingress()
            .group_id(group_id)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(443)
                    .to_port(443)
                    .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
                    .build(),
            )
            .send()
            .await
            .map_err(sdk_error("AuthorizeSecurityGroupIngress"))?;
        Ok(())
    }

    /// A customer-managed prefix list holding `cidrs`, and a rule letting TCP 443 into
    /// `group_id` from it (moto 5.2.5 answers CreateManagedPrefixList and
    /// GetManagedPrefixListEntries). Returns the list's id.
    #[allow(dead_code)]
    pub async fn admit_https_from_prefix_list(
        &self,
        group_id: &str,
        cidrs: &[&str],
    ) -> SeedResult<String> {
        let mut create = self
            .ec2
            .create_managed_prefix_list()
            .prefix_list_name("developer-networks")
            .address_family("IPv4")
            .max_entries(10);
        for cidr in cidrs {
            create = create.entries(
                aws_sdk_ec2::types::AddPrefixListEntry::builder()
                    .cidr(*cidr)
                    .build(),
            );
        }
        let list = create
            .send()
            .await
            .map_err(sdk_error("CreateManagedPrefixList"))?;
        let id = list
            .prefix_list()
            .and_then(|l| l.prefix_list_id())
            .ok_or("CreateManagedPrefixList returned no id")?
            .to_string();
        self.ec2
            .authorize_security_group_ingress()
            .group_id(group_id)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(443)
                    .to_port(443)
                    .prefix_list_ids(
                        aws_sdk_ec2::types::PrefixListId::builder()
                            .prefix_list_id(&id)
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .map_err(sdk_error("AuthorizeSecurityGroupIngress"))?;
        Ok(id)
    }

    /// Completes a ready region's network into a private path: a subnet in a second zone
    /// (unless `spec.one_zone`), the bedrock-runtime endpoint across the subnets with
    /// `spec.runtime_policy`, and an endpoint for each of `spec.services` (`bedrock`, `sts`),
    /// all with private DNS and the network's security group. Returns the runtime endpoint id.
    pub async fn private_path(
        &self,
        network: &Network,
        spec: &PrivatePathSpec,
    ) -> SeedResult<String> {
        let mut subnets = vec![network.subnet_id.clone()];
        if !spec.one_zone {
            subnets.push(self.subnet(&network.vpc_id, "10.20.2.0/24", "b").await?);
        }
        if spec.open_to_world {
            self.admit_https(&network.security_group_id, "0.0.0.0/0")
                .await?;
        }
        let mut runtime = String::new();
        for service in std::iter::once("bedrock-runtime").chain(spec.services.iter().copied()) {
            let mut request = self
                .ec2
                .create_vpc_endpoint()
                .vpc_id(&network.vpc_id)
                .service_name(format!("com.amazonaws.{}.{service}", self.region))
                .vpc_endpoint_type(VpcEndpointType::Interface)
                .set_subnet_ids(Some(subnets.clone()))
                .security_group_ids(&network.security_group_id)
                .private_dns_enabled(true);
            if service == "bedrock-runtime" {
                request = request.set_policy_document(spec.runtime_policy.clone());
            }
            let id = request
                .send()
                .await
                .map_err(sdk_error("CreateVpcEndpoint"))?
                .vpc_endpoint()
                .and_then(|e| e.vpc_endpoint_id())
                .ok_or("CreateVpcEndpoint returned no id")?
                .to_string();
            if service == "bedrock-runtime" {
                runtime = id;
            }
        }
        Ok(runtime)
    }

    /// An S3 bucket for invocation logs: SSE-KMS with `kms_key_arn` (else no default
    /// encryption configuration), a full public access block, and objects expiring after
    /// `expiration_days`.
    pub async fn logging_bucket(
        &self,
        name: &str,
        kms_key_arn: Option<&str>,
        expiration_days: i32,
    ) -> SeedResult<()> {
        use aws_sdk_s3::types::{
            CreateBucketConfiguration, PublicAccessBlockConfiguration, ServerSideEncryption,
            ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
            ServerSideEncryptionRule,
        };
        let mut create = self.s3.create_bucket().bucket(name);
        if self.region != "us-east-1" {
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(self.region.as_str().into())
                    .build(),
            );
        }
        create.send().await.map_err(sdk_error("CreateBucket"))?;
        if let Some(key) = kms_key_arn {
            let default = ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::AwsKms)
                .kms_master_key_id(key)
                .build()
                .map_err(|e| e.to_string())?;
            self.s3
                .put_bucket_encryption()
                .bucket(name)
                .server_side_encryption_configuration(
                    ServerSideEncryptionConfiguration::builder()
                        .rules(
                            ServerSideEncryptionRule::builder()
                                .apply_server_side_encryption_by_default(default)
                                .build(),
                        )
                        .build()
                        .map_err(|e| e.to_string())?,
                )
                .send()
                .await
                .map_err(sdk_error("PutBucketEncryption"))?;
        }
        self.s3
            .put_public_access_block()
            .bucket(name)
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .map_err(sdk_error("PutPublicAccessBlock"))?;
        self.bucket_expiry(name, expiration_days, None).await
    }

    /// One enabled whole-bucket lifecycle rule: objects expire after `days`, and their
    /// noncurrent versions after `noncurrent_days` when given.
    pub async fn bucket_expiry(
        &self,
        name: &str,
        days: i32,
        noncurrent_days: Option<i32>,
    ) -> SeedResult<()> {
        use aws_sdk_s3::types::{
            BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
            LifecycleRuleFilter, NoncurrentVersionExpiration,
        };
        let mut rule = LifecycleRule::builder()
            .id("expire-prompts")
            .status(ExpirationStatus::Enabled)
            .filter(LifecycleRuleFilter::builder().prefix("").build())
            .expiration(LifecycleExpiration::builder().days(days).build());
        if let Some(noncurrent_days) = noncurrent_days {
            rule = rule.noncurrent_version_expiration(
                NoncurrentVersionExpiration::builder()
                    .noncurrent_days(noncurrent_days)
                    .build(),
            );
        }
        self.s3
            .put_bucket_lifecycle_configuration()
            .bucket(name)
            .lifecycle_configuration(
                BucketLifecycleConfiguration::builder()
                    .rules(rule.build().map_err(|e| e.to_string())?)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
            .send()
            .await
            .map_err(sdk_error("PutBucketLifecycleConfiguration"))?;
        Ok(())
    }

    /// The bucket policy of the Bedrock user guide ("Set up an Amazon S3 destination" of
    /// model-invocation-logging.html): `bedrock.amazonaws.com` may put objects under
    /// `<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/`, for `account` and this region.
    pub async fn bedrock_bucket_policy(
        &self,
        bucket: &str,
        prefix: &str,
        account: &str,
    ) -> SeedResult<()> {
        let prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AmazonBedrockLogsWrite",
                "Effect": "Allow",
                "Principal": {"Service": "bedrock.amazonaws.com"},
                "Action": ["s3:PutObject"],
                "Resource": [format!("arn:aws:s3:::{bucket}/{prefix}AWSLogs/{account}/BedrockModelInvocationLogs/*")],
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": format!("arn:aws:bedrock:{}:{account}:*", self.region)}
                }
            }]
        });
        self.s3
            .put_bucket_policy()
            .bucket(bucket)
            .policy(policy.to_string())
            .send()
            .await
            .map_err(sdk_error("PutBucketPolicy"))?;
        Ok(())
    }

    /// An Object Lock default retention of `days` in `mode` (moto, like S3, needs versioning
    /// on and the bucket empty first).
    pub async fn bucket_object_lock(&self, name: &str, mode: &str, days: i32) -> SeedResult<()> {
        use aws_sdk_s3::types::{
            DefaultRetention, ObjectLockConfiguration, ObjectLockEnabled, ObjectLockRetentionMode,
            ObjectLockRule,
        };
        self.bucket_versioning(name, "Enabled").await?;
        self.s3
            .put_object_lock_configuration()
            .bucket(name)
            .object_lock_configuration(
                ObjectLockConfiguration::builder()
                    .object_lock_enabled(ObjectLockEnabled::Enabled)
                    .rule(
                        ObjectLockRule::builder()
                            .default_retention(
                                DefaultRetention::builder()
                                    .mode(ObjectLockRetentionMode::from(mode))
                                    .days(days)
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .map_err(sdk_error("PutObjectLockConfiguration"))?;
        Ok(())
    }

    /// The role Bedrock assumes to deliver invocation logs to CloudWatch Logs, trusting
    /// `service` (the user guide's role trusts `bedrock.amazonaws.com`).
    pub async fn logging_role(&self, name: &str, service: &str) -> SeedResult<()> {
        let trust = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole"
            }]
        });
        self.iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust.to_string())
            .send()
            .await
            .map_err(sdk_error("CreateRole"))?;
        Ok(())
    }

    /// Replaces the bucket's lifecycle with enabled rules `(id, prefix, days)`, each expiring
    /// the objects under its prefix after that many days.
    pub async fn bucket_lifecycle(
        &self,
        name: &str,
        rules: &[(&str, &str, i32)],
    ) -> SeedResult<()> {
        use aws_sdk_s3::types::{
            BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
            LifecycleRuleFilter,
        };
        let mut configuration = BucketLifecycleConfiguration::builder();
        for (id, prefix, days) in rules {
            configuration = configuration.rules(
                LifecycleRule::builder()
                    .id(*id)
                    .status(ExpirationStatus::Enabled)
                    .filter(LifecycleRuleFilter::builder().prefix(*prefix).build())
                    .expiration(LifecycleExpiration::builder().days(*days).build())
                    .build()
                    .map_err(|e| e.to_string())?,
            );
        }
        self.s3
            .put_bucket_lifecycle_configuration()
            .bucket(name)
            .lifecycle_configuration(configuration.build().map_err(|e| e.to_string())?)
            .send()
            .await
            .map_err(sdk_error("PutBucketLifecycleConfiguration"))?;
        Ok(())
    }

    /// Turns the bucket's versioning on (`Enabled`) or suspends it (`Suspended`).
    pub async fn bucket_versioning(&self, name: &str, status: &str) -> SeedResult<()> {
        use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
        self.s3
            .put_bucket_versioning()
            .bucket(name)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::from(status))
                    .build(),
            )
            .send()
            .await
            .map_err(sdk_error("PutBucketVersioning"))?;
        Ok(())
    }

    /// A symmetric customer-managed key, with automatic rotation on or off.
    pub async fn kms_key(&self, description: &str, rotation: bool) -> SeedResult<Key> {
        let created = self
            .kms
            .create_key()
            .description(description)
            .send()
            .await
            .map_err(sdk_error("CreateKey"))?;
        let metadata = created
            .key_metadata()
            .ok_or("CreateKey returned no metadata")?;
        let key = Key {
            id: metadata.key_id().to_string(),
            arn: metadata
                .arn()
                .ok_or("CreateKey returned no ARN")?
                .to_string(),
        };
        if rotation {
            self.kms
                .enable_key_rotation()
                .key_id(&key.id)
                .send()
                .await
                .map_err(sdk_error("EnableKeyRotation"))?;
        }
        Ok(key)
    }

    pub async fn schedule_key_deletion(&self, key: &Key) -> SeedResult<()> {
        self.kms
            .schedule_key_deletion()
            .key_id(&key.id)
            .pending_window_in_days(7)
            .send()
            .await
            .map_err(sdk_error("ScheduleKeyDeletion"))?;
        Ok(())
    }

    /// A trail with its S3 bucket (moto insists the bucket exists).
    pub async fn trail(&self, spec: &TrailSpec) -> SeedResult<String> {
        let bucket = format!("{}-{}-cloudtrail", spec.name.to_lowercase(), self.region);
        // In us-east-1: CreateBucket without a location constraint is only valid there, and
        // a trail may deliver to a bucket in any region.
        let auth = "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";
        let response = super::http::request(
            self.moto_addr,
            "PUT",
            &format!("/{bucket}"),
            &[("Authorization", auth)],
            "",
        )
        .map_err(|e| format!("CreateBucket {bucket}: {e}"))?;
        if response.status != 200 {
            return Err(format!("CreateBucket {bucket}: {}", response.body));
        }
        let mut request = self
            .cloudtrail
            .create_trail()
            .name(&spec.name)
            .s3_bucket_name(&bucket)
            .is_multi_region_trail(spec.multi_region)
            .enable_log_file_validation(spec.log_file_validation);
        if let Some(key) = &spec.kms_key_arn {
            request = request.kms_key_id(key);
        }
        let arn = request
            .send()
            .await
            .map_err(sdk_error("CreateTrail"))?
            .trail_arn()
            .ok_or("CreateTrail returned no ARN")?
            .to_string();
        if let Some(read_write) = &spec.management_events {
            self.cloudtrail
                .put_event_selectors()
                .trail_name(&spec.name)
                .event_selectors(
                    EventSelector::builder()
                        .read_write_type(read_write.clone())
                        .include_management_events(true)
                        .build(),
                )
                .send()
                .await
                .map_err(sdk_error("PutEventSelectors"))?;
        }
        if spec.logging {
            self.cloudtrail
                .start_logging()
                .name(&spec.name)
                .send()
                .await
                .map_err(sdk_error("StartLogging"))?;
        }
        Ok(arn)
    }

    pub async fn stop_logging(&self, trail: &str) -> SeedResult<()> {
        self.cloudtrail
            .stop_logging()
            .name(trail)
            .send()
            .await
            .map_err(sdk_error("StopLogging"))?;
        Ok(())
    }

    pub async fn log_group(&self, spec: &LogGroupSpec) -> SeedResult<()> {
        let mut request = self.logs.create_log_group().log_group_name(&spec.name);
        if let Some(key) = &spec.kms_key_arn {
            request = request.kms_key_id(key);
        }
        request
            .send()
            .await
            .map_err(|e| format!("{}: {}", spec.name, sdk_error("CreateLogGroup")(e)))?;
        if let Some(days) = spec.retention_days {
            self.logs
                .put_retention_policy()
                .log_group_name(&spec.name)
                .retention_in_days(days)
                .send()
                .await
                .map_err(|e| format!("{}: {}", spec.name, sdk_error("PutRetentionPolicy")(e)))?;
        }
        Ok(())
    }

    /// Creates many log groups with a few requests in flight at once.
    pub async fn log_groups(&self, specs: Vec<LogGroupSpec>) -> SeedResult<()> {
        futures::stream::iter(specs)
            .map(|spec| async move { self.log_group(&spec).await })
            .buffer_unordered(8)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }
}

/// What [`seed_ready_region`] created.
#[derive(Debug, Clone)]
pub struct ReadyRegion {
    pub region: String,
    pub key: Key,
    pub trail_name: String,
    pub trail_arn: String,
    pub network: Network,
    pub log_groups: Vec<String>,
}

/// The role a ready account's logging configuration names for CloudWatch delivery, trusting
/// `bedrock.amazonaws.com` (Bedrock user guide, "Set up a CloudWatch Logs destination").
pub const LOGGING_ROLE: &str = "BedrockInvocationLogging";

/// The log group that Bedrock model-invocation logging writes to in a ready account.
pub const INVOCATION_LOG_GROUP: &str = "/aws/bedrock/modelinvocations";

/// Seeds everything a ready region has in moto: a rotating KMS key; a logging, encrypted,
/// validated multi-region trail recording all management events; log groups with retention,
/// encrypted with that key; and interface endpoints with private DNS for bedrock-runtime (over two
/// Availability Zones), bedrock and sts. The Bedrock side is [`super::bedrock_server::BedrockSeed::claude_ready`].
pub async fn seed_ready_region(moto: &Moto, region: &str) -> SeedResult<ReadyRegion> {
    seed_ready_region_with(moto, region, EndpointSpec::PrivateDns).await
}

/// The Bedrock Runtime interface endpoint a seeded region has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointSpec {
    PrivateDns,
    NoPrivateDns,
    /// The VPC exists, but no bedrock-runtime endpoint.
    Missing,
}

/// [`seed_ready_region`] with a chosen endpoint.
pub async fn seed_ready_region_with(
    moto: &Moto,
    region: &str,
    endpoint: EndpointSpec,
) -> SeedResult<ReadyRegion> {
    let seeder = Seeder::new(moto, region).await;
    let key = seeder.kms_key("bedrock-audit ready account", true).await?;
    let trail_name = format!("org-trail-{region}");
    let trail_arn = seeder
        .trail(&TrailSpec::good(&trail_name, &key.arn))
        .await?;
    let log_groups = vec![
        LogGroupSpec::new(INVOCATION_LOG_GROUP, Some(365)).encrypted(&key.arn),
        LogGroupSpec::new("/aws/lambda/claude-code-gateway", Some(30)).encrypted(&key.arn),
        LogGroupSpec::new("aws-cloudtrail-logs", Some(400)).encrypted(&key.arn),
    ];
    let names = log_groups.iter().map(|g| g.name.clone()).collect();
    seeder.log_groups(log_groups).await?;
    // The role the ready logging configuration delivers to CloudWatch with (IAM is global: a
    // second ready region finds it there already).
    match seeder
        .logging_role(LOGGING_ROLE, "bedrock.amazonaws.com")
        .await
    {
        Err(e) if !e.contains("EntityAlreadyExists") => return Err(e),
        _ => {}
    }
    let network = match endpoint {
        // A ready region has the whole private path: bedrock-runtime over two zones, and the
        // bedrock and sts endpoints beside it.
        EndpointSpec::PrivateDns => {
            let mut network = seeder
                .bedrock_runtime_endpoint(EndpointSpec::Missing)
                .await?;
            network.endpoint_id = seeder
                .private_path(&network, &PrivatePathSpec::complete())
                .await?;
            network
        }
        other => seeder.bedrock_runtime_endpoint(other).await?,
    };
    Ok(ReadyRegion {
        region: region.into(),
        key,
        trail_name,
        trail_arn,
        network,
        log_groups: names,
    })
}
