//! Numbers as both text formats write them.

use std::fmt::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

/// A sample value: `NaN`, `+Inf`, `-Inf`; plain decimals from 1e-4 to
/// 1e15 (integers without a fraction or exponent: `3`, not `3.0` or
/// `3e0`); the shortest exponent form outside that range (`1e-05`,
/// `1.5e+20`). Every rendering reads back as the same `f64`.
pub(crate) fn write_value<W: Write>(out: &mut W, v: f64) -> fmt::Result {
    if let Some(special) = special(v) {
        return out.write_str(special);
    }
    let abs = v.abs();
    if abs == 0.0 {
        out.write_char('0')
    } else if (1e-4..1e15).contains(&abs) {
        write!(out, "{v}")
    } else {
        write_go_g(out, v)
    }
}

/// An unsigned integer in decimal, without the formatting machinery (a
/// scrape writes one per counter and bucket).
pub(crate) fn write_integer<W: Write>(out: &mut W, mut v: u64) -> fmt::Result {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.write_str(std::str::from_utf8(&digits[start..]).map_err(|_| fmt::Error)?)
}

/// A bucket bound (`le`) or quantile label value in the classic text
/// format, as Go's `strconv.FormatFloat(v, 'g', -1, 64)` writes it, like
/// the Go client does (`1`, `2.5`, `1e+06`), so series match theirs.
pub(crate) fn write_classic_label<W: Write>(out: &mut W, v: f64) -> fmt::Result {
    match special(v) {
        Some(s) => out.write_str(s),
        None => write_go_g(out, v),
    }
}

/// A bucket bound or quantile in OpenMetrics: the spec's canonical numbers,
/// that is Go's `'g'` form with `.0` on integers (`1.0`, `2.5`, `1e+06`).
pub(crate) fn write_canonical_label<W: Write>(out: &mut W, v: f64) -> fmt::Result {
    if let Some(s) = special(v) {
        return out.write_str(s);
    }
    write_go_g(out, v)?;
    // Integers written without exponent (below 1e6) need their `.0`.
    if v.fract() == 0.0 && v.abs() < 1e6 {
        out.write_str(".0")?;
    }
    Ok(())
}

/// Unix seconds with the fraction's significant digits (no exponent:
/// OpenMetrics advises against it for timestamps). Times before the epoch
/// are written as 0.
pub(crate) fn write_timestamp<W: Write>(out: &mut W, time: SystemTime) -> fmt::Result {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    write!(out, "{}", since.as_secs())?;
    let nanos = since.subsec_nanos();
    if nanos == 0 {
        return Ok(());
    }
    let fraction = format!("{nanos:09}");
    write!(out, ".{}", fraction.trim_end_matches('0'))
}

fn special(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("NaN")
    } else if v == f64::INFINITY {
        Some("+Inf")
    } else if v == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

/// Go's shortest `'g'` formatting of a finite `v`: exponent form when the
/// decimal exponent is below -4 or at least 6 (with at least two exponent
/// digits and a sign), plain decimal otherwise.
fn write_go_g<W: Write>(out: &mut W, v: f64) -> fmt::Result {
    if v == 0.0 {
        return out.write_char('0');
    }
    // In Go's fixed range Rust's `Display` writes the same shortest digits
    // (and no allocation is needed).
    if (1e-4..1e6).contains(&v.abs()) {
        return write!(out, "{v}");
    }
    // Rust's `{:e}` gives the shortest digits that read back exactly.
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if v < 0.0 {
        out.write_char('-')?;
    }
    if !(-4..6).contains(&exp) {
        out.write_str(&digits[..1])?;
        if digits.len() > 1 {
            write!(out, ".{}", &digits[1..])?;
        }
        let sign = if exp < 0 { '-' } else { '+' };
        return write!(out, "e{sign}{:02}", exp.unsigned_abs());
    }
    if exp < 0 {
        let zeros = "0".repeat(exp.unsigned_abs() as usize - 1);
        return write!(out, "0.{zeros}{digits}");
    }
    let int_len = exp as usize + 1;
    if digits.len() <= int_len {
        write!(out, "{digits}{}", "0".repeat(int_len - digits.len()))
    } else {
        write!(out, "{}.{}", &digits[..int_len], &digits[int_len..])
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn render(f: fn(&mut String, f64) -> fmt::Result, v: f64) -> String {
        let mut s = String::new();
        f(&mut s, v).unwrap();
        s
    }

    #[test]
    fn integers() {
        for v in [0, 1, 9, 10, 42, 1_000_000, u64::MAX] {
            let mut out = String::new();
            write_integer(&mut out, v).unwrap();
            assert_eq!(out, v.to_string());
        }
    }

    #[test]
    fn go_g_matches_go() {
        let cases = [
            (1.0, "1"),
            (0.005, "0.005"),
            (2.5, "2.5"),
            (100000.0, "100000"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1.1e23, "1.1e+23"),
            (-0.25, "-0.25"),
            (1e-300, "1e-300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (0.0, "0"),
        ];
        for (v, want) in cases {
            assert_eq!(render(write_classic_label, v), want, "{v}");
        }
    }

    #[test]
    fn canonical_numbers_follow_the_openmetrics_examples() {
        let spec = "0.0 0.001 0.002 0.01 0.1 0.9 0.95 0.99 0.999 1.0 1.7 10.0 \
                    1e-10 1e-09 1e-05 0.0001 100000.0 1e+06 1e+10 1.1e+23 +Inf -Inf NaN";
        for want in spec.split(' ') {
            let v: f64 = want.replace("+Inf", "inf").parse().unwrap();
            assert_eq!(render(write_canonical_label, v), want);
        }
    }

    #[test]
    fn values_are_plain_in_the_middle_range() {
        let cases = [
            (3.0, "3"),
            (-3.0, "-3"),
            (1234567.0, "1234567"),
            (0.1, "0.1"),
            (1234567.5, "1234567.5"),
            (1e15, "1e+15"),
            (0.00001, "1e-05"),
            (-0.0, "0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Inf"),
        ];
        for (v, want) in cases {
            assert_eq!(render(write_value, v), want, "{v}");
        }
    }

    #[test]
    fn every_rendering_reads_back_exactly() {
        for bits in [
            1u64,
            0x3ff0_0000_0000_0001,
            0x7fef_ffff_ffff_ffff,
            0x0010_0000_0000_0000,
        ] {
            let v = f64::from_bits(bits);
            for f in [write_value, write_classic_label, write_canonical_label] {
                assert_eq!(render(f, v).parse::<f64>().unwrap(), v);
            }
        }
    }

    #[test]
    fn timestamps_have_no_exponent() {
        let mut s = String::new();
        write_timestamp(
            &mut s,
            UNIX_EPOCH + Duration::new(1_700_000_000, 123_000_000),
        )
        .unwrap();
        assert_eq!(s, "1700000000.123");
        s.clear();
        write_timestamp(&mut s, UNIX_EPOCH + Duration::from_secs(5)).unwrap();
        assert_eq!(s, "5");
    }
}
