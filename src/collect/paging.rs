//! Following a paginated listing to its end, or failing the whole section.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::{Stream, StreamExt};

use super::error::{from_sdk, pagination_incomplete};
use crate::snapshot::Collected;

/// A guard against a service that cycles page tokens forever.
const MAX_PAGES: usize = 10_000;

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
pub async fn all_pages<S, O, E, T>(
    operation: &str,
    pages: S,
    next_token: impl Fn(&O) -> Option<&str>,
    mut take: impl FnMut(O, &mut Vec<T>),
) -> Collected<Vec<T>>
where
    S: Stream<Item = Result<O, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    futures::pin_mut!(pages);
    let mut items = Vec::new();
    let mut pages_read = 0usize;
    let mut unfinished_token = false;
    while let Some(page) = pages.next().await {
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
                take(page, &mut items);
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
