//! Turns SDK errors into [`CollectError`]s: what failed, why, in words a person can act on.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::snapshot::{CollectError, Collected, ErrorKind};

/// Maps a failed SDK call to the error recorded in its snapshot section.
pub fn from_sdk<E>(operation: &str, err: &SdkError<E, HttpResponse>) -> CollectError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    let full_message = || error_chain(err);
    let (kind, code, message) = match err {
        SdkError::TimeoutError(_) => (ErrorKind::Timeout, "Timeout".to_string(), full_message()),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            (ErrorKind::Timeout, "Timeout".to_string(), full_message())
        }
        SdkError::DispatchFailure(_) => (
            ErrorKind::Network,
            "DispatchFailure".to_string(),
            full_message(),
        ),
        SdkError::ConstructionFailure(_) => (
            ErrorKind::Other,
            "ConstructionFailure".to_string(),
            full_message(),
        ),
        // An answer the SDK could not parse: judge it by its HTTP status.
        SdkError::ResponseError(_) => (
            kind_from_status(status),
            "ResponseError".to_string(),
            full_message(),
        ),
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or("Unknown").to_string();
            let message = service
                .err()
                .message()
                .map(str::to_string)
                .unwrap_or_else(full_message);
            (kind_from_code(&code, status), code, message)
        }
        _ => (ErrorKind::Other, "Unknown".to_string(), full_message()),
    };
    CollectError {
        operation: operation.to_string(),
        kind,
        code: crate::untrusted_text::capped(&code, CODE_LIMIT).into_owned(),
        message: with_status(
            crate::untrusted_text::capped(&message, MESSAGE_LIMIT).into_owned(),
            status,
        ),
    }
}

/// The longest AWS error message kept, in bytes; a longer one is cut and ends with
/// `… (N bytes in all)`. Real messages are a sentence or two; a server that sends 100 KB must
/// not make every report that quotes it huge and slow.
pub const MESSAGE_LIMIT: usize = 4 * 1024;

/// The longest error code kept, in bytes (real ones are short identifiers).
pub const CODE_LIMIT: usize = 256;

/// The error and its causes, one after another (`dispatch failure: io error: connection
/// refused`), without the SDK's debug dump of the raw response.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![without_debug_dump(&err.to_string())];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = without_debug_dump(&cause.to_string());
        if !text.is_empty() && parts.last() != Some(&text) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.retain(|p| !p.is_empty());
    parts.join(": ")
}

/// Some SDK errors embed a Rust debug representation in their text (`failed to apply
/// endpoint `x` to request `Request { body: SdkBody … }``): internal detail that can hold
/// headers, useless to a person. The text is cut where such a dump begins.
pub fn without_debug_dump(text: &str) -> String {
    match debug_dump_start(text) {
        None => text.to_string(),
        Some(start) => {
            let kept = text[..start].trim_end_matches(['`', ' ', ':', '(', '{', '"', '\'']);
            kept.strip_suffix(" to request")
                .unwrap_or(kept)
                .trim_end()
                .to_string()
        }
    }
}

/// Where a derived `Debug` of a struct starts: a capitalised name, ` { `, a field name, `: `.
fn debug_dump_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut search_from = 0;
    while let Some(found) = text[search_from..].find(" { ") {
        let brace = search_from + found;
        search_from = brace + 3;
        // The field after the brace: `name: `.
        let after = &text[brace + 3..];
        let field_len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if field_len == 0 || !after[field_len..].starts_with(": ") {
            continue;
        }
        // The type name before it: `Name`.
        let name_start = text[..brace]
            .bytes()
            .rposition(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
            .map_or(0, |i| i + 1);
        if name_start < brace && bytes[name_start].is_ascii_uppercase() {
            return Some(name_start);
        }
    }
    None
}

/// A failed section, from an SDK error.
pub fn failed<T, E>(operation: &str, err: &SdkError<E, HttpResponse>) -> Collected<T>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    Collected::failed(from_sdk(operation, err))
}

/// The error for a listing whose pages did not reach the end.
pub fn pagination_incomplete(operation: &str, why: &str) -> CollectError {
    CollectError {
        operation: operation.to_string(),
        kind: ErrorKind::PaginationIncomplete,
        code: "PaginationIncomplete".to_string(),
        message: why.to_string(),
    }
}

fn with_status(message: String, status: Option<u16>) -> String {
    match status {
        Some(status) if !message.contains(&format!("HTTP {status}")) => {
            format!("{message} (HTTP {status})")
        }
        _ => message,
    }
}

/// Classifies an AWS error code; the HTTP status decides when the code is not a known one.
pub fn kind_from_code(code: &str, status: Option<u16>) -> ErrorKind {
    const ACCESS_DENIED: &[&str] = &[
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedException",
        "AuthFailure",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "InvalidSignatureException",
        "MissingAuthenticationToken",
        "OptInRequired",
    ];
    const THROTTLING: &[&str] = &[
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
        "ProvisionedThroughputExceededException",
        "BandwidthLimitExceeded",
        "EC2ThrottledException",
    ];
    if ACCESS_DENIED.contains(&code) {
        return ErrorKind::AccessDenied;
    }
    if THROTTLING.contains(&code) {
        return ErrorKind::Throttling;
    }
    if code.ends_with("NotFoundException")
        || code.ends_with(".NotFound")
        || code.ends_with("NotFound")
    {
        return ErrorKind::NotFound;
    }
    if code == "RequestTimeout" || code == "RequestTimeoutException" {
        return ErrorKind::Timeout;
    }
    kind_from_status(status)
}

fn kind_from_status(status: Option<u16>) -> ErrorKind {
    match status {
        Some(401 | 403) => ErrorKind::AccessDenied,
        Some(404) => ErrorKind::NotFound,
        Some(408) => ErrorKind::Timeout,
        Some(429) => ErrorKind::Throttling,
        Some(500..=599) => ErrorKind::ServiceError,
        _ => ErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudwatchlogs::operation::describe_log_groups::DescribeLogGroupsError;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    const OP: &str = "logs:DescribeLogGroups";

    fn service_error(code: &str, status: u16) -> SdkError<DescribeLogGroupsError, HttpResponse> {
        let meta = ErrorMetadata::builder()
            .code(code)
            .message("the message")
            .build();
        let response = HttpResponse::new(
            StatusCode::try_from(status).expect("valid status"),
            SdkBody::empty(),
        );
        SdkError::service_error(DescribeLogGroupsError::generic(meta), response)
    }

    #[test]
    fn access_denied_keeps_code_and_message() {
        let err = from_sdk(OP, &service_error("AccessDeniedException", 400));
        assert_eq!(err.operation, OP);
        assert_eq!(err.kind, ErrorKind::AccessDenied);
        assert_eq!(err.code, "AccessDeniedException");
        assert!(err.message.starts_with("the message"), "{}", err.message);
        assert!(err.message.contains("HTTP 400"), "{}", err.message);
    }

    #[test]
    fn ec2_codes_are_classified() {
        assert_eq!(
            from_sdk(OP, &service_error("UnauthorizedOperation", 403)).kind,
            ErrorKind::AccessDenied
        );
        assert_eq!(
            from_sdk(OP, &service_error("RequestLimitExceeded", 503)).kind,
            ErrorKind::Throttling
        );
        assert_eq!(
            from_sdk(OP, &service_error("InvalidVpcID.NotFound", 400)).kind,
            ErrorKind::NotFound
        );
    }

    #[test]
    fn throttling_and_not_found() {
        assert_eq!(
            from_sdk(OP, &service_error("ThrottlingException", 400)).kind,
            ErrorKind::Throttling
        );
        assert_eq!(
            from_sdk(OP, &service_error("ResourceNotFoundException", 400)).kind,
            ErrorKind::NotFound
        );
    }

    #[test]
    fn unknown_code_falls_back_to_status() {
        assert_eq!(
            from_sdk(OP, &service_error("InternalServerException", 500)).kind,
            ErrorKind::ServiceError
        );
        assert_eq!(
            from_sdk(OP, &service_error("Weird", 403)).kind,
            ErrorKind::AccessDenied
        );
        assert_eq!(
            from_sdk(OP, &service_error("ValidationException", 400)).kind,
            ErrorKind::Other
        );
    }

    #[test]
    fn timeouts_and_network_failures() {
        let timeout: SdkError<DescribeLogGroupsError, HttpResponse> =
            SdkError::timeout_error("operation timed out after 30s");
        let err = from_sdk(OP, &timeout);
        assert_eq!(
            (err.kind, err.code.as_str()),
            (ErrorKind::Timeout, "Timeout")
        );

        let connect_timeout: SdkError<DescribeLogGroupsError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::timeout("connect timed out".into()));
        assert_eq!(from_sdk(OP, &connect_timeout).kind, ErrorKind::Timeout);

        let refused: SdkError<DescribeLogGroupsError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::io("connection refused".into()));
        let err = from_sdk(OP, &refused);
        assert_eq!(
            (err.kind, err.code.as_str()),
            (ErrorKind::Network, "DispatchFailure")
        );
        assert!(
            err.message.contains("connection refused"),
            "{}",
            err.message
        );
    }

    /// A source error with the text the SDK gives an endpoint it cannot apply.
    #[derive(Debug)]
    struct EndpointApplyError;
    impl std::fmt::Display for EndpointApplyError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("failed to apply endpoint `not a url` to request `Request { body: SdkBody { inner: Once(None), retryable: true }, uri: Uri { as_string: \"/\", parsed: H0(/) }, method: POST, extensions_02x: Extensions, extensions_1x: Extensions, headers: Headers { headers: {\"authorization\": \"secret\"} } }`")
        }
    }
    impl std::error::Error for EndpointApplyError {}

    fn assert_human(err: &CollectError) {
        for text in [&err.message, &err.code] {
            assert!(
                !text.contains("SdkBody")
                    && !text.contains(" { ")
                    && !text.contains("Some(")
                    && !text.contains("secret"),
                "debug representation in {text:?}"
            );
            assert!(!text.trim().is_empty(), "empty text in {err:?}");
        }
    }

    #[test]
    fn every_sdk_error_variant_becomes_a_human_message() {
        let response =
            || HttpResponse::new(StatusCode::try_from(500).expect("valid"), SdkBody::empty());
        let variants: Vec<SdkError<DescribeLogGroupsError, HttpResponse>> = vec![
            SdkError::construction_failure(EndpointApplyError),
            SdkError::timeout_error(EndpointApplyError),
            SdkError::dispatch_failure(ConnectorError::other(Box::new(EndpointApplyError), None)),
            SdkError::dispatch_failure(ConnectorError::io("connection refused".into())),
            SdkError::dispatch_failure(ConnectorError::timeout("connect timed out".into())),
            SdkError::response_error(EndpointApplyError, response()),
            service_error("AccessDeniedException", 403),
            SdkError::service_error(
                DescribeLogGroupsError::generic(ErrorMetadata::builder().build()),
                response(),
            ),
        ];
        for variant in &variants {
            let err = from_sdk(OP, variant);
            assert_human(&err);
        }
        let construction = from_sdk(OP, &variants[0]);
        assert_eq!(construction.code, "ConstructionFailure");
        assert!(
            construction
                .message
                .contains("failed to apply endpoint `not a url`"),
            "{}",
            construction.message
        );
    }

    #[test]
    fn a_huge_message_is_capped_with_its_length() {
        let meta = ErrorMetadata::builder()
            .code("AccessDeniedException")
            .message("m".repeat(100_000))
            .build();
        let response =
            HttpResponse::new(StatusCode::try_from(403).expect("valid"), SdkBody::empty());
        let err = from_sdk(
            OP,
            &SdkError::service_error(DescribeLogGroupsError::generic(meta), response),
        );
        assert!(
            err.message.len() < MESSAGE_LIMIT + 64,
            "{}",
            err.message.len()
        );
        assert!(
            err.message.contains("(100000 bytes in all)"),
            "{}",
            &err.message[MESSAGE_LIMIT..]
        );
        assert!(err.message.ends_with("(HTTP 403)"));
    }

    #[test]
    fn debug_dumps_are_cut_and_plain_text_is_kept() {
        assert_eq!(
            without_debug_dump(
                "failed to apply endpoint `x` to request `Request { body: SdkBody { inner: 1 } }`"
            ),
            "failed to apply endpoint `x`"
        );
        assert_eq!(
            without_debug_dump("plain { text } here"),
            "plain { text } here"
        );
        assert_eq!(without_debug_dump("no dump"), "no dump");
    }

    #[test]
    fn unparseable_response_uses_status() {
        let err: SdkError<DescribeLogGroupsError, HttpResponse> = SdkError::response_error(
            "bad json",
            HttpResponse::new(StatusCode::try_from(502).expect("valid"), SdkBody::empty()),
        );
        let err = from_sdk(OP, &err);
        assert_eq!(err.kind, ErrorKind::ServiceError);
        assert_eq!(err.code, "ResponseError");
    }
}
