use std::time::Duration;

use super::*;
use crate::target::FileTarget;
use crate::testing::TempDir;

fn env(value: &'static str) -> impl Fn(&str) -> Option<String> {
    move |name| (name == FORMAT_ENV).then(|| value.to_owned())
}

fn to_file(dir: &TempDir) -> ConsoleBuilder {
    Console::builder().with_target(FileTarget::new(dir.path().join("app.log")))
}

#[test]
fn defaults_to_pretty() {
    let dir = TempDir::new();
    let console = to_file(&dir).build().unwrap();
    assert_eq!(console.format(), Format::Pretty);
    assert!(!console.is_colored(), "a file is not a terminal");
}

#[test]
fn the_environment_fills_the_format_when_code_left_it_unset() {
    let dir = TempDir::new();
    let console = to_file(&dir).from_env_with(env("json")).build().unwrap();
    assert_eq!(console.format(), Format::Json);
    let console = to_file(&dir).from_env_with(env("PRETTY")).build().unwrap();
    assert_eq!(console.format(), Format::Pretty);
}

#[test]
fn code_wins_over_the_environment() {
    let dir = TempDir::new();
    let before = to_file(&dir)
        .with_format(Format::Pretty)
        .from_env_with(env("json"));
    assert_eq!(before.build().unwrap().format(), Format::Pretty);
    let after = to_file(&dir)
        .from_env_with(env("json"))
        .with_format(Format::Pretty);
    assert_eq!(after.build().unwrap().format(), Format::Pretty);
}

#[test]
fn an_empty_variable_counts_as_unset() {
    let dir = TempDir::new();
    let console = to_file(&dir).from_env_with(env("")).build().unwrap();
    assert_eq!(console.format(), Format::Pretty);
}

#[test]
fn a_bad_format_names_the_variable_the_value_and_the_choices() {
    let dir = TempDir::new();
    let error = to_file(&dir).from_env_with(env("xml")).build().unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid console configuration: OMNISCOPE_LOG_FORMAT=\"xml\" is not a log format: use `json` or `pretty`"
    );
}

#[test]
fn colours_always_when_asked_even_into_a_file() {
    let dir = TempDir::new();
    let console = to_file(&dir)
        .with_color(ColorChoice::Always)
        .build()
        .unwrap();
    assert!(console.is_colored());
    let json = to_file(&dir)
        .with_color(ColorChoice::Always)
        .with_format(Format::Json)
        .build()
        .unwrap();
    assert!(!json.is_colored(), "JSON is never coloured");
}

#[test]
fn a_missing_directory_is_a_build_error_naming_the_path() {
    let dir = TempDir::new();
    let path = dir.path().join("missing").join("app.log");
    let error = Console::builder()
        .with_target(FileTarget::new(&path))
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "invalid console configuration: cannot open log file {}: No such file or directory (os error 2): check that its directory exists and is writable",
            path.display()
        )
    );
}

#[test]
fn zero_limits_are_rejected() {
    let dir = TempDir::new();
    let path = dir.path().join("app.log");
    let error = Console::builder()
        .with_target(FileTarget::new(&path).with_max_size(0))
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "invalid console configuration: the maximum size of log file {} is 0: give at least 1 byte, or u64::MAX for no rotation by size",
            path.display()
        )
    );
    let error = Console::builder()
        .with_target(FileTarget::new(&path).with_max_age(Duration::ZERO))
        .build()
        .unwrap_err();
    assert!(
        error.to_string().contains("the maximum age of log file"),
        "{error}"
    );
    assert!(
        !path.exists(),
        "nothing is created when the configuration is invalid"
    );
}
