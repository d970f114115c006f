//! Following a paginated listing to its end, or failing the whole section.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::{Stream, StreamExt};

use super::error::{from_sdk, pagination_incomplete};
use crate::snapshot::Collected;

/// A guard against a service that cycles page tokens forever.
const MAX_PAGES: usize = 10_000;
/// The most items one listing may hold: far above real accounts (CloudWatch Logs returns 50
/// log groups a page, EC2 1,000 items; 10,000 pages of 50 is 500,000), low enough that a
/// hostile or broken endpoint cannot fill memory one small item at a time.
pub const MAX_ITEMS: usize = 1_000_000;
/// The most bytes (as the items serialise into a snapshot) one listing may hold.
pub const MAX_BYTES: u64 = 512 * 1024 * 1024;

/// When the whole scan must end (`scan --scan-timeout`), once set for this process.
static SCAN_DEADLINE: std::sync::OnceLock<(std::time::Instant, std::time::Duration)> =
    std::sync::OnceLock::new();

/// Starts the scan's clock: a listing still running `limit` from now fails its section.
/// Set once per process (the first call wins: one run, one deadline).
pub fn start_scan_clock(limit: std::time::Duration) {
    let _ = SCAN_DEADLINE.set((std::time::Instant::now() + limit, limit));
}

/// The bounds one listing is read within.
#[derive(Clone, Copy)]
struct Bounds {
    items: usize,
    bytes: u64,
    /// When the scan must end, and the limit it came from (for the message).
    deadline: Option<(std::time::Instant, std::time::Duration)>,
}

impl Bounds {
    fn of_this_scan() -> Self {
        Bounds {
            items: MAX_ITEMS,
            bytes: MAX_BYTES,
            deadline: SCAN_DEADLINE.get().copied(),
        }
    }

    fn deadline_passed(&self) -> Option<std::time::Duration> {
        self.deadline
            .filter(|(deadline, _)| std::time::Instant::now() >= *deadline)
            .map(|(_, limit)| limit)
    }
}

/// Counts bytes without keeping them.
struct ByteCounter(u64);

impl std::io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Turns an SDK `PaginationStream` (not nameable without another crate) into a `Stream`.
macro_rules! pages {
    ($paginated:expr) => {{
        let mut stream = $paginated;
        futures::stream::poll_fn(move |cx| stream.poll_next(cx))
    }};
}
pub(crate) use pages;

/// Reads every page; any failure, or a listing that stops before its last page, fails the
/// whole section: a partial list would read as "the account has fewer things than it has".
/// A listing that passes [`MAX_ITEMS`] or [`MAX_BYTES`], or is still running when the scan's
/// deadline passes, fails the same way: never a silent cut.
pub async fn all_pages<S, O, E, T>(
    operation: &str,
    pages: S,
    next_token: impl Fn(&O) -> Option<&str>,
    take: impl FnMut(O, &mut Vec<T>),
) -> Collected<Vec<T>>
where
    S: Stream<Item = Result<O, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    T: serde::Serialize,
{
    pages_within(operation, pages, next_token, take, Bounds::of_this_scan()).await
}

async fn pages_within<S, O, E, T>(
    operation: &str,
    pages: S,
    next_token: impl Fn(&O) -> Option<&str>,
    mut take: impl FnMut(O, &mut Vec<T>),
    bounds: Bounds,
) -> Collected<Vec<T>>
where
    S: Stream<Item = Result<O, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    T: serde::Serialize,
{
    futures::pin_mut!(pages);
    let mut items = Vec::new();
    let mut pages_read = 0usize;
    let mut bytes = ByteCounter(0);
    let mut unfinished_token = false;
    loop {
        if let Some(limit) = bounds.deadline_passed() {
            return Collected::failed(pagination_incomplete(
                operation,
                &format!(
                    "the scan's deadline (--scan-timeout {} s) passed after {pages_read} page(s); the partial list was discarded",
                    limit.as_secs()
                ),
            ));
        }
        let Some(page) = pages.next().await else {
            break;
        };
        match page {
            Ok(page) => {
                pages_read += 1;
                if pages_read > MAX_PAGES {
                    return Collected::failed(pagination_incomplete(
                        operation,
                        &format!("stopped after {MAX_PAGES} pages: the listing did not end"),
                    ));
                }
                unfinished_token = next_token(&page).is_some_and(|t| !t.is_empty());
                let before = items.len();
                take(page, &mut items);
                for item in &items[before..] {
                    let _ = serde_json::to_writer(&mut bytes, item);
                }
                if items.len() > bounds.items || bytes.0 > bounds.bytes {
                    return Collected::failed(pagination_incomplete(
                        operation,
                        &format!(
                            "stopped after {pages_read} page(s): the listing passed {} items or {} bytes, far beyond what AWS returns; the partial list was discarded",
                            bounds.items, bounds.bytes
                        ),
                    ));
                }
            }
            Err(err) => {
                let mut error = from_sdk(operation, &err);
                if pages_read > 0 {
                    error.message = format!(
                        "{} (failed after {pages_read} page(s); the partial list was discarded)",
                        error.message
                    );
                }
                return Collected::failed(error);
            }
        }
    }
    // The SDK paginator ends quietly when the service repeats a page token; the last page
    // then still carries a token, and the list is not complete.
    if unfinished_token {
        return Collected::failed(pagination_incomplete(
            operation,
            &format!("the service repeated a page token after {pages_read} page(s), so the listing never reached its end"),
        ));
    }
    Collected::ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudwatchlogs::operation::describe_log_groups::{
        DescribeLogGroupsError, DescribeLogGroupsOutput,
    };
    use aws_sdk_cloudwatchlogs::types::LogGroup;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    use crate::snapshot::ErrorKind;

    // The SDK's own paginator yields this type; the tests have to produce it as it is.
    type Page = Result<DescribeLogGroupsOutput, SdkError<DescribeLogGroupsError, HttpResponse>>;

    #[allow(clippy::result_large_err)]
    fn page(names: &[&str], next: Option<&str>) -> Page {
        let groups = names
            .iter()
            .map(|n| LogGroup::builder().log_group_name(*n).build())
            .collect();
        Ok(DescribeLogGroupsOutput::builder()
            .set_log_groups(Some(groups))
            .set_next_token(next.map(str::to_string))
            .build())
    }

    #[allow(clippy::result_large_err)]
    fn throttled() -> Page {
        let meta = ErrorMetadata::builder()
            .code("ThrottlingException")
            .message("Rate exceeded")
            .build();
        Err(SdkError::service_error(
            DescribeLogGroupsError::generic(meta),
            HttpResponse::new(StatusCode::try_from(400).expect("valid"), SdkBody::empty()),
        ))
    }

    async fn read(pages: Vec<Page>) -> Collected<Vec<String>> {
        all_pages(
            "logs:DescribeLogGroups",
            futures::stream::iter(pages),
            |p: &DescribeLogGroupsOutput| p.next_token(),
            |p, out| {
                out.extend(
                    p.log_groups()
                        .iter()
                        .filter_map(|g| g.log_group_name().map(str::to_string)),
                )
            },
        )
        .await
    }

    async fn read_within(pages: Vec<Page>, bounds: Bounds) -> Collected<Vec<String>> {
        pages_within(
            "logs:DescribeLogGroups",
            futures::stream::iter(pages),
            |p: &DescribeLogGroupsOutput| p.next_token(),
            |p, out| {
                out.extend(
                    p.log_groups()
                        .iter()
                        .filter_map(|g| g.log_group_name().map(str::to_string)),
                )
            },
            bounds,
        )
        .await
    }

    #[tokio::test]
    async fn a_listing_past_its_item_or_byte_cap_fails_instead_of_being_cut() {
        let pages = || vec![page(&["a", "b"], Some("t1")), page(&["c", "d"], None)];
        let unbounded = Bounds {
            items: 10,
            bytes: 1000,
            deadline: None,
        };
        assert!(read_within(pages(), unbounded).await.as_result().is_ok());
        for bounds in [
            Bounds {
                items: 3,
                ..unbounded
            },
            Bounds {
                bytes: 10, // four names of 3 bytes as JSON strings: 12
                ..unbounded
            },
        ] {
            let got = read_within(pages(), bounds).await;
            let error = got.as_result().expect_err("over the cap");
            assert_eq!(error.kind, ErrorKind::PaginationIncomplete);
            assert!(
                error.message.contains("far beyond what AWS returns"),
                "{}",
                error.message
            );
        }
    }

    #[tokio::test]
    async fn a_listing_still_running_at_the_scan_deadline_fails() {
        let bounds = Bounds {
            items: MAX_ITEMS,
            bytes: MAX_BYTES,
            deadline: Some((
                std::time::Instant::now(),
                std::time::Duration::from_secs(7200),
            )),
        };
        let got = read_within(vec![page(&["a"], None)], bounds).await;
        let error = got.as_result().expect_err("past the deadline");
        assert!(
            error.message.contains("--scan-timeout 7200 s"),
            "{}",
            error.message
        );
    }

    #[tokio::test]
    async fn every_page_is_kept() {
        let got = read(vec![page(&["a", "b"], Some("t1")), page(&["c"], None)]).await;
        assert_eq!(got, Collected::ok(vec!["a".into(), "b".into(), "c".into()]));
    }

    #[tokio::test]
    async fn an_error_on_a_later_page_fails_the_whole_section() {
        let got = read(vec![page(&["a"], Some("t1")), throttled()]).await;
        let error = got.as_result().expect_err("must fail");
        assert_eq!(error.kind, ErrorKind::Throttling);
        assert!(
            error.message.contains("partial list was discarded"),
            "{}",
            error.message
        );
    }

    #[tokio::test]
    async fn a_listing_that_stops_with_a_token_is_incomplete() {
        // What the SDK paginator yields when the service repeats a token: it just stops.
        let got = read(vec![page(&["a"], Some("t1")), page(&["b"], Some("t1"))]).await;
        let error = got.as_result().expect_err("must fail");
        assert_eq!(error.kind, ErrorKind::PaginationIncomplete);
    }
}
