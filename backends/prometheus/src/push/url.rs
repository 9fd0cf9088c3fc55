//! The Pushgateway's URL: the base given by the user, checked, and the
//! grouping path `/metrics/job/<job>/<label>/<value>…` with the
//! Pushgateway's `@base64` encoding for values a path cannot carry.

use hyper::Uri;

/// A checked `http://host[:port][/prefix]` base URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    /// `http://host:port/prefix`, without a trailing `/`.
    base: String,
}

impl BaseUrl {
    /// Parses and checks `url`; the error says what is wrong with it and
    /// what to write instead.
    pub(crate) fn parse(url: &str) -> Result<BaseUrl, String> {
        let uri: Uri = url.trim().parse().map_err(|e| {
            format!("the Pushgateway URL {url:?} cannot be parsed ({e}): write it like http://pushgateway:9091")
        })?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") => {
                return Err(format!(
                    "the Pushgateway URL {url:?} uses https, which omniscope-prometheus cannot speak yet: \
                     use http:// (inside your network), or a TLS-terminating proxy on loopback"
                ))
            }
            _ => {
                return Err(format!(
                    "the Pushgateway URL {url:?} does not start with http://: write it like http://pushgateway:9091"
                ))
            }
        }
        let Some(authority) = uri.authority() else {
            return Err(format!(
                "the Pushgateway URL {url:?} has no host: write it like http://pushgateway:9091"
            ));
        };
        if authority.as_str().contains('@') {
            return Err(format!(
                "the Pushgateway URL {url:?} holds credentials: give them to with_basic_auth, \
                 and write the URL without them"
            ));
        }
        let port = &authority.as_str()[authority.host().len()..];
        if port
            .strip_prefix(':')
            .is_some_and(|p| p.parse::<u16>().is_err())
        {
            return Err(format!(
                "the Pushgateway URL {url:?} has a bad port: write it like http://pushgateway:9091"
            ));
        }
        if authority.host().is_empty() {
            return Err(format!(
                "the Pushgateway URL {url:?} has no host: write it like http://pushgateway:9091"
            ));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(format!(
                "the Pushgateway URL {url:?} has a query or fragment: give only the scheme, host, \
                 port and (behind a proxy) a path prefix"
            ));
        }
        let prefix = uri.path().trim_end_matches('/');
        Ok(BaseUrl {
            base: format!("http://{authority}{prefix}"),
        })
    }

    /// The URL of the group `job` with `grouping` labels.
    pub(crate) fn group(&self, job: &str, grouping: &[(String, String)]) -> String {
        let mut url = format!("{}/metrics", self.base);
        push_segment(&mut url, "job", job);
        for (label, value) in grouping {
            push_segment(&mut url, label, value);
        }
        url
    }
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base)
    }
}

/// `/<label>/<value>`, or `/<label>@base64/<base64url(value)>` when the
/// value has characters other than unreserved ones (a `/` above all, which
/// the Pushgateway could not tell from a separator) or is empty (`=`).
fn push_segment(url: &mut String, label: &str, value: &str) {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'));
    url.push('/');
    url.push_str(label);
    if plain {
        url.push('/');
        url.push_str(value);
    } else if value.is_empty() {
        url.push_str("@base64/=");
    } else {
        url.push_str("@base64/");
        url.push_str(&base64(value.as_bytes(), URL_SAFE, false));
    }
}

/// The standard base64 alphabet (RFC 4648 §4).
pub(crate) const STANDARD: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// The URL- and filename-safe alphabet (RFC 4648 §5).
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `bytes` in base64 with `alphabet`, `=`-padded if `pad`.
pub(crate) fn base64(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        // A chunk of k bytes carries k + 1 sextets.
        for i in 0..=chunk.len() {
            let sextet = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(alphabet[sextet as usize]));
        }
        if pad {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        // RFC 4648 §10's test vectors.
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64(plain.as_bytes(), STANDARD, true), encoded);
            assert_eq!(
                base64(plain.as_bytes(), URL_SAFE, false),
                encoded.trim_end_matches('=')
            );
        }
        assert_eq!(base64(&[0xfb, 0xff], STANDARD, true), "+/8=");
        assert_eq!(base64(&[0xfb, 0xff], URL_SAFE, false), "-_8");
    }

    #[test]
    fn group_paths_encode_what_a_path_cannot_carry() {
        let base = BaseUrl::parse("http://127.0.0.1:9091").unwrap();
        let grouping = [
            ("instance".to_owned(), "host-1.example".to_owned()),
            ("path".to_owned(), "/var/tmp".to_owned()),
            ("empty".to_owned(), String::new()),
            ("odd".to_owned(), "a b?é".to_owned()),
        ];
        assert_eq!(
            base.group("nightly_backup", &grouping),
            "http://127.0.0.1:9091/metrics/job/nightly_backup/instance/host-1.example\
             /path@base64/L3Zhci90bXA/empty@base64/=/odd@base64/YSBiP8Op"
        );
        assert_eq!(
            base.group("a/b", &[]),
            "http://127.0.0.1:9091/metrics/job@base64/YS9i"
        );
    }

    #[test]
    fn urls_are_checked() {
        let ok = [
            ("http://pgw:9091", "http://pgw:9091"),
            ("http://pgw:9091/", "http://pgw:9091"),
            (
                " http://[::1]:9091/proxy/pgw/ ",
                "http://[::1]:9091/proxy/pgw",
            ),
            ("http://pgw", "http://pgw"),
        ];
        for (url, want) in ok {
            assert_eq!(BaseUrl::parse(url).unwrap().to_string(), want, "{url}");
        }
        let bad = [
            ("https://pgw:9091", "uses https"),
            ("pgw:9091", "does not start with http://"),
            ("ftp://pgw", "does not start with http://"),
            ("/metrics", "does not start with http://"),
            ("http://user:pw@pgw:9091", "holds credentials"),
            ("http://pgw:9091/?x=1", "has a query or fragment"),
            ("http://pgw:9091/#top", "has a query or fragment"),
            ("http://pgw:port", "has a bad port"),
            ("http://[::1]:99999", "has a bad port"),
            ("", "cannot be parsed"),
        ];
        for (url, want) in bad {
            let message = BaseUrl::parse(url).unwrap_err();
            assert!(message.contains(want), "{url}: {message}");
        }
    }
}
