use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

fn headers(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn context(trace: u128, span: u64, sampling: Sampling, parent: Option<u64>) -> B3Header {
    B3Header::Context {
        trace_id: TraceId::from_u128(trace),
        span_id: SpanId::from_u64(span),
        parent_span_id: parent.map(SpanId::from_u64),
        sampling,
    }
}

/// The examples of the b3-propagation specification (README.md of
/// openzipkin/b3-propagation), single header.
#[test]
fn specification_examples_single() {
    let cases = [
        (
            "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90",
            context(
                0x80f198ee56343ba864fe8b2a57d3eff7,
                0xe457b5a2e4d86bd1,
                Sampling::Accept,
                Some(0x05e3ac9a4f6e3b90),
            ),
        ),
        (
            "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1",
            context(
                0x80f198ee56343ba864fe8b2a57d3eff7,
                0xe457b5a2e4d86bd1,
                Sampling::Accept,
                None,
            ),
        ),
        (
            "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1",
            context(
                0x80f198ee56343ba864fe8b2a57d3eff7,
                0xe457b5a2e4d86bd1,
                Sampling::Defer,
                None,
            ),
        ),
        (
            "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d",
            context(
                0x80f198ee56343ba864fe8b2a57d3eff7,
                0xe457b5a2e4d86bd1,
                Sampling::Debug,
                None,
            ),
        ),
        (
            "64fe8b2a57d3eff7-e457b5a2e4d86bd1-0",
            context(0x64fe8b2a57d3eff7, 0xe457b5a2e4d86bd1, Sampling::Deny, None),
        ),
        ("0", B3Header::SamplingOnly(Sampling::Deny)),
        ("1", B3Header::SamplingOnly(Sampling::Accept)),
        ("d", B3Header::SamplingOnly(Sampling::Debug)),
    ];
    for (value, expected) in cases {
        assert_eq!(parse_single(value), Ok(expected), "{value}");
    }
}

/// Malformed single headers: a typed reason each, never a panic.
#[test]
fn malformed_single_headers_say_why() {
    let cases = [
        ("80f198ee56343ba8-e457b5a2e4d86bd1-x", B3ErrorKind::Sampling),
        ("80F198EE56343BA8-e457b5a2e4d86bd1-1", B3ErrorKind::TraceId),
        ("80f198ee56343ba8a-e457b5a2e4d86bd1-1", B3ErrorKind::TraceId),
        (
            "00000000000000000000000000000000-e457b5a2e4d86bd1",
            B3ErrorKind::TraceId,
        ),
        ("80f198ee56343ba8-0000000000000000-1", B3ErrorKind::SpanId),
        ("80f198ee56343ba8-e457b5a2e4d86bd-1", B3ErrorKind::SpanId),
        (
            "80f198ee56343ba8-e457b5a2e4d86bd1-1-0",
            B3ErrorKind::ParentSpanId,
        ),
        (
            "80f198ee56343ba8-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90-x",
            B3ErrorKind::Fields,
        ),
        (
            "80f198ee56343ba8-e457b5a2e4d86bd1--05e3ac9a4f6e3b90",
            B3ErrorKind::Fields,
        ),
        ("true", B3ErrorKind::Sampling),
        ("-", B3ErrorKind::TraceId),
        ("é-é", B3ErrorKind::TraceId),
    ];
    for (value, kind) in cases {
        let e = parse_single(value).unwrap_err();
        assert_eq!(e.kind(), kind, "{value}: {e}");
        assert!(e.to_string().starts_with("invalid B3 header `b3`: "), "{e}");
    }
}

/// The multiple headers, with the lenient `true`/`false` and the debug flag.
#[test]
fn specification_examples_multi() {
    let full = headers(&[
        ("X-B3-TraceId", "80f198ee56343ba864fe8b2a57d3eff7"),
        ("X-B3-ParentSpanId", "05e3ac9a4f6e3b90"),
        ("X-B3-SpanId", "e457b5a2e4d86bd1"),
        ("X-B3-Sampled", "1"),
    ]);
    assert_eq!(
        parse_multi(&full),
        Ok(Some(context(
            0x80f198ee56343ba864fe8b2a57d3eff7,
            0xe457b5a2e4d86bd1,
            Sampling::Accept,
            Some(0x05e3ac9a4f6e3b90)
        )))
    );
    let ids = [
        ("X-B3-TraceId", "64fe8b2a57d3eff7"),
        ("X-B3-SpanId", "e457b5a2e4d86bd1"),
    ];
    for (sampled, flags, expected) in [
        (Some("true"), None, Sampling::Accept),
        (Some("FALSE"), None, Sampling::Deny),
        (Some("0"), None, Sampling::Deny),
        (None, None, Sampling::Defer),
        (None, Some("1"), Sampling::Debug),
        (Some("0"), Some("1"), Sampling::Debug),
        (Some("1"), Some("0"), Sampling::Accept),
    ] {
        let mut h = headers(&ids);
        sampled.map(|s| h.insert("X-B3-Sampled".into(), s.into()));
        flags.map(|f| h.insert("X-B3-Flags".into(), f.into()));
        assert_eq!(
            parse_multi(&h),
            Ok(Some(context(
                0x64fe8b2a57d3eff7,
                0xe457b5a2e4d86bd1,
                expected,
                None
            ))),
            "{h:?}"
        );
    }
    assert_eq!(
        parse_multi(&headers(&[("X-B3-Sampled", "0")])),
        Ok(Some(B3Header::SamplingOnly(Sampling::Deny)))
    );
    assert_eq!(parse_multi(&headers(&[])), Ok(None));
    let bad = [
        (
            &[("X-B3-TraceId", "64fe8b2a57d3eff7")][..],
            X_B3_SPAN_ID,
            B3ErrorKind::MissingId,
        ),
        (
            &[("X-B3-SpanId", "e457b5a2e4d86bd1")][..],
            X_B3_TRACE_ID,
            B3ErrorKind::MissingId,
        ),
        (
            &[ids[0], ids[1], ("X-B3-Sampled", "yes")][..],
            X_B3_SAMPLED,
            B3ErrorKind::Sampling,
        ),
        (
            &[ids[0], ids[1], ("X-B3-ParentSpanId", "x")][..],
            X_B3_PARENT_SPAN_ID,
            B3ErrorKind::ParentSpanId,
        ),
    ];
    for (pairs, header, kind) in bad {
        let e = parse_multi(&headers(pairs)).unwrap_err();
        assert_eq!((e.header(), e.kind()), (header, kind), "{pairs:?}");
    }
}

#[test]
fn the_single_header_wins_and_a_bad_one_falls_back() {
    let both = headers(&[
        ("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"),
        ("X-B3-TraceId", "64fe8b2a57d3eff7"),
        ("X-B3-SpanId", "05e3ac9a4f6e3b90"),
        ("X-B3-Sampled", "0"),
    ]);
    let cx = B3Propagator::default().extract(Context::new(), &both);
    let span = cx.span_context().unwrap();
    assert_eq!(
        span.trace_id(),
        TraceId::from_u128(0x80f198ee56343ba864fe8b2a57d3eff7)
    );
    assert!(span.is_sampled() && span.is_remote());

    let mut bad_single = both.clone();
    bad_single.insert("b3".into(), "garbage".into());
    let cx = B3Propagator::default().extract(Context::new(), &bad_single);
    assert_eq!(
        cx.span_context().unwrap().span_id(),
        SpanId::from_u64(0x05e3ac9a4f6e3b90)
    );
    assert!(!cx.span_context().unwrap().is_sampled());

    let only_bad = headers(&[("b3", "garbage")]);
    let e = B3Propagator::default()
        .extract_header(&only_bad)
        .unwrap_err();
    assert_eq!(e.header(), B3);
    assert!(B3Propagator::default()
        .extract(Context::new(), &only_bad)
        .span_context()
        .is_none());
}

/// A sampling state alone (`b3: 0`, `1`, `d`) becomes the context's
/// sampling request, with no span context, and is sent on as it came.
#[test]
fn a_sampling_state_alone_becomes_a_request_and_is_sent_on() {
    for (value, request, multi) in [
        ("0", SamplingRequest::Deny, ("x-b3-sampled", "0")),
        ("1", SamplingRequest::Accept, ("x-b3-sampled", "1")),
        ("d", SamplingRequest::Debug, ("x-b3-flags", "1")),
    ] {
        let cx = B3Propagator::default().extract(Context::new(), &headers(&[("b3", value)]));
        assert!(cx.span_context().is_none(), "{value}");
        assert_eq!(cx.sampling_request(), Some(request), "{value}");
        let mut single = HashMap::new();
        B3Propagator::new(B3Encoding::Single).inject(&cx, &mut single);
        assert_eq!(single, headers(&[("b3", value)]));
        let mut multiple = HashMap::new();
        B3Propagator::new(B3Encoding::Multi).inject(&cx, &mut multiple);
        assert_eq!(multiple, headers(&[multi]));
    }
}

/// Debug (`d`, `X-B3-Flags: 1`) marks the span context debug and sampled,
/// and is sent on as debug: `d`, or `X-B3-Flags: 1` without `X-B3-Sampled`.
#[test]
fn debug_is_kept_and_sent_on() {
    for incoming in [
        headers(&[("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d")]),
        headers(&[
            ("X-B3-TraceId", "80f198ee56343ba864fe8b2a57d3eff7"),
            ("X-B3-SpanId", "e457b5a2e4d86bd1"),
            ("X-B3-Flags", "1"),
        ]),
    ] {
        let cx = B3Propagator::default().extract(Context::new(), &incoming);
        let parent = cx.span_context().unwrap();
        assert!(parent.is_debug() && parent.is_sampled(), "{incoming:?}");
        let mut single = HashMap::new();
        B3Propagator::new(B3Encoding::Single).inject(&cx, &mut single);
        assert_eq!(
            single,
            headers(&[("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d")])
        );
        let mut multiple = HashMap::new();
        B3Propagator::new(B3Encoding::Multi).inject(&cx, &mut multiple);
        assert_eq!(multiple["x-b3-flags"], "1");
        assert!(!multiple.contains_key("x-b3-sampled"), "{multiple:?}");
    }
}

#[test]
fn injects_single_multi_or_both() {
    let cx = Context::new().with_remote_span(SpanContext::new_remote(
        TraceId::from_u128(0x64fe8b2a57d3eff7),
        SpanId::from_u64(0xe457b5a2e4d86bd1),
        TraceFlags::NOT_SAMPLED,
        TraceState::new(),
    ));
    let mut single = HashMap::new();
    B3Propagator::new(B3Encoding::Single).inject(&cx, &mut single);
    assert_eq!(
        single,
        headers(&[("b3", "64fe8b2a57d3eff7-e457b5a2e4d86bd1-0")])
    );
    let mut multi = HashMap::new();
    B3Propagator::new(B3Encoding::Multi).inject(&cx, &mut multi);
    assert_eq!(
        multi,
        headers(&[
            ("x-b3-traceid", "64fe8b2a57d3eff7"),
            ("x-b3-spanid", "e457b5a2e4d86bd1"),
            ("x-b3-sampled", "0"),
        ])
    );
    let mut both = HashMap::new();
    B3Propagator::new(B3Encoding::SingleAndMulti).inject(&cx, &mut both);
    assert_eq!(both.len(), 4);
    let mut none = HashMap::new();
    B3Propagator::default().inject(&Context::new(), &mut none);
    assert!(none.is_empty());
}

fn encodings() -> impl Strategy<Value = B3Encoding> {
    prop_oneof![
        Just(B3Encoding::Single),
        Just(B3Encoding::Multi),
        Just(B3Encoding::SingleAndMulti)
    ]
}

proptest! {
    /// inject then extract gives the same trace id, span id, sampled
    /// flag and debug mark, in every encoding, for 64- and 128-bit trace ids.
    #[test]
    fn inject_extract_round_trips(
        trace in prop_oneof![1u128..=u128::from(u64::MAX), 1u128..],
        span in 1u64..,
        sampled: bool,
        debug: bool,
        encoding in encodings(),
    ) {
        let original = SpanContext::new_remote(
            TraceId::from_u128(trace),
            SpanId::from_u64(span),
            // debug implies sampled
            TraceFlags::NOT_SAMPLED.with_sampled(sampled || debug),
            TraceState::new(),
        )
        .with_debug(debug);
        let mut carrier = HashMap::new();
        B3Propagator::new(encoding).inject(&Context::new().with_remote_span(original.clone()), &mut carrier);
        let got = B3Propagator::default().extract(Context::new(), &carrier);
        prop_assert_eq!(got.span_context(), Some(&original));
    }

    /// Any header values: never a panic, and a context only from valid ones.
    #[test]
    fn arbitrary_headers_never_panic(
        single in proptest::option::of(".{0,80}"),
        trace in proptest::option::of("[0-9a-fA-F-]{0,40}"),
        span in proptest::option::of("[0-9a-f]{0,20}"),
        sampled in proptest::option::of(".{0,6}"),
    ) {
        let mut carrier = HashMap::new();
        for (k, v) in [(B3, single), (X_B3_TRACE_ID, trace), (X_B3_SPAN_ID, span), (X_B3_SAMPLED, sampled)] {
            if let Some(v) = v { carrier.insert(k.to_owned(), v); }
        }
        let result = B3Propagator::default().extract_header(&carrier);
        let cx = B3Propagator::default().extract(Context::new(), &carrier);
        prop_assert_eq!(cx.span_context().is_some(), matches!(result, Ok(Some(B3Header::Context { .. }))));
    }
}
