//! The resource: who is emitting (service, version, environment, host,
//! process, SDK), attached to every signal.

use std::borrow::Cow;

use omniscope::OwnedValue;

/// Attributes describing the emitting entity, following the OpenTelemetry
/// resource semantic conventions.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    attributes: Vec<(Cow<'static, str>, OwnedValue)>,
}

impl Resource {
    /// `service.name`.
    pub const SERVICE_NAME: &'static str = "service.name";
    /// `service.version`.
    pub const SERVICE_VERSION: &'static str = "service.version";
    /// `deployment.environment.name`.
    pub const DEPLOYMENT_ENVIRONMENT: &'static str = "deployment.environment.name";

    /// A resource for `service_name` with the detected host, process and SDK
    /// attributes: `host.name`, `process.pid`, `process.executable.name`,
    /// `telemetry.sdk.name`, `telemetry.sdk.language`, `telemetry.sdk.version`.
    pub fn new(service_name: impl Into<String>) -> Resource {
        let mut r = Resource {
            attributes: Vec::new(),
        };
        r.set(Self::SERVICE_NAME, OwnedValue::Str(service_name.into()));
        if let Some(host) = host_name() {
            r.set("host.name", OwnedValue::Str(host));
        }
        r.set(
            "process.pid",
            OwnedValue::I64(i64::from(std::process::id())),
        );
        if let Some(exe) = executable_name() {
            r.set("process.executable.name", OwnedValue::Str(exe));
        }
        r.set("telemetry.sdk.name", OwnedValue::Str("omniscope".into()));
        r.set("telemetry.sdk.language", OwnedValue::Str("rust".into()));
        r.set(
            "telemetry.sdk.version",
            OwnedValue::Str(env!("CARGO_PKG_VERSION").into()),
        );
        r
    }

    /// A resource with only the given attributes (no detection).
    pub fn empty() -> Resource {
        Resource {
            attributes: Vec::new(),
        }
    }

    /// This resource with `key` set to `value` (replacing an earlier value).
    #[must_use]
    pub fn with(mut self, key: impl Into<Cow<'static, str>>, value: OwnedValue) -> Resource {
        self.set(key, value);
        self
    }

    /// Sets `key` to `value`, replacing an earlier value.
    pub fn set(&mut self, key: impl Into<Cow<'static, str>>, value: OwnedValue) {
        let key = key.into();
        match self.attributes.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.attributes.push((key, value)),
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&OwnedValue> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// `service.name` (`unknown_service` if unset, as OpenTelemetry specifies).
    pub fn service_name(&self) -> &str {
        self.get(Self::SERVICE_NAME)
            .and_then(OwnedValue::as_str)
            .unwrap_or("unknown_service")
    }

    /// All attributes, in insertion order.
    pub fn attributes(&self) -> impl Iterator<Item = (&str, &OwnedValue)> {
        self.attributes.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl Default for Resource {
    /// `Resource::new("unknown_service")`.
    fn default() -> Resource {
        Resource::new("unknown_service")
    }
}

fn host_name() -> Option<String> {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
}

fn executable_name() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.file_name()?.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_process_and_sdk() {
        let r = Resource::new("orders")
            .with(Resource::SERVICE_VERSION, OwnedValue::Str("1.2.0".into()));
        assert_eq!(r.service_name(), "orders");
        assert_eq!(
            r.get("process.pid"),
            Some(&OwnedValue::I64(i64::from(std::process::id())))
        );
        assert_eq!(
            r.get("telemetry.sdk.language").and_then(OwnedValue::as_str),
            Some("rust")
        );
        assert_eq!(
            r.get(Resource::SERVICE_VERSION)
                .and_then(OwnedValue::as_str),
            Some("1.2.0")
        );
    }
}
