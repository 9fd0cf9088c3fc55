//! Sync signatures that must keep compiling under `#[instrument]`.
#![deny(warnings)]

use std::fmt::Debug;
use std::io;

use omniscope::instrument;

#[instrument]
fn no_args() {}

#[instrument]
fn returns_value(a: u8, b: &str) -> usize {
    a as usize + b.len()
}

#[instrument]
fn early_return_and_question_mark(input: &str) -> Result<u32, std::num::ParseIntError> {
    if input.is_empty() {
        return Ok(0);
    }
    let n: u32 = input.trim().parse()?;
    Ok(n * 2)
}

#[instrument]
fn io_result(path: &str) -> io::Result<()> {
    if path.is_empty() {
        return Err(io::Error::other("empty path"));
    }
    Ok(())
}

#[instrument(skip(items))]
fn generic<T: Clone + Debug, I>(value: T, items: I) -> Vec<T>
where
    I: IntoIterator<Item = T>,
{
    let mut out: Vec<T> = items.into_iter().collect();
    out.push(value);
    out
}

#[instrument]
fn lifetimes<'a, 'b: 'a>(x: &'a str, _y: &'b str) -> &'a str {
    x
}

#[instrument]
fn impl_trait_arg(it: impl Iterator<Item = u8> + Debug) -> u32 {
    it.map(u32::from).sum()
}

#[instrument]
fn impl_trait_return(n: u8) -> impl Iterator<Item = u8> {
    0..n
}

#[instrument]
fn result_of_impl_trait(n: u8) -> Result<impl Debug, String> {
    if n == 0 {
        return Err("zero".into());
    }
    Ok(n)
}

#[instrument]
fn mut_and_patterns(mut count: u8, (a, b): (u8, u8), [c, _]: [u8; 2]) -> u8 {
    count += a + b + c;
    count
}

#[instrument]
unsafe fn read(ptr: *const u8) -> u8 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *ptr }
}

#[instrument]
fn never_returns(message: &str) -> ! {
    panic!("{message}")
}

#[instrument]
fn boxed_dyn_error(fail: bool) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if fail {
        return Err("failed".into());
    }
    Ok(())
}

#[instrument]
fn string_error(fail: bool) -> Result<(), String> {
    if fail {
        Err("no".to_owned())
    } else {
        Ok(())
    }
}

struct NoDebug;

#[instrument]
fn opaque_error(fail: bool) -> Result<u8, NoDebug> {
    if fail {
        Err(NoDebug)
    } else {
        Ok(1)
    }
}

#[instrument]
fn generic_error<E: Debug>(result: Result<u8, E>) -> Result<u8, E> {
    result
}

#[instrument(skip(attempt))]
fn retry<T, E: std::error::Error, F: FnMut() -> Result<T, E>>(
    mut attempt: F,
    times: u8,
) -> Result<T, E> {
    let mut result = attempt();
    for _ in 1..times {
        if result.is_ok() {
            break;
        }
        result = attempt();
    }
    result
}

#[derive(Debug)]
struct Borrowed<'a>(&'a str);

impl std::fmt::Display for Borrowed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Borrowed<'_> {}

#[instrument]
fn borrowed_error(input: &str) -> Result<(), Borrowed<'_>> {
    Err(Borrowed(input))
}

#[instrument]
fn borrowed_dyn_error<'a>(input: &'a str) -> Result<(), Box<dyn std::error::Error + 'a>> {
    Err(Box::new(Borrowed(input)))
}

#[derive(Debug, Clone, Default)]
struct Store {
    name: String,
    items: Vec<u8>,
}

impl Store {
    #[instrument]
    fn new(name: &str) -> Self {
        Store {
            name: name.to_owned(),
            items: Vec::new(),
        }
    }

    #[instrument]
    fn name(&self) -> &str {
        &self.name
    }

    #[instrument]
    fn items_mut(&mut self) -> &mut Vec<u8> {
        &mut self.items
    }

    #[instrument(fields(len = self.items.len()))]
    fn into_items(self) -> Vec<u8> {
        self.items
    }

    #[instrument]
    fn boxed(self: Box<Self>) -> usize {
        self.items.len()
    }

    #[instrument]
    fn iter(&self) -> impl Iterator<Item = &u8> + '_ {
        self.items.iter()
    }

    #[instrument]
    fn push(mut self, item: u8) -> Self {
        self.items.push(item);
        self
    }
}

trait Describe {
    fn describe(&self) -> String;

    #[instrument]
    fn shout(&self) -> String {
        self.describe().to_uppercase()
    }
}

impl Describe for Store {
    #[instrument(name = "store.describe", level = "debug", kind = omniscope::SpanKind::Internal)]
    fn describe(&self) -> String {
        format!("store {}", self.name)
    }
}

#[instrument(
    name = "custom",
    level = omniscope::Level::Trace,
    kind = "client",
    skip_all,
    fields(user.id = 42, route = %"/orders", debug = ?Some(1), "http.method" = "GET", r#type = 1)
)]
fn all_arguments(secret: &str) -> usize {
    secret.len()
}

fn main() {
    no_args();
    let _ = returns_value(1, "ab");
    let _ = early_return_and_question_mark("21");
    let _ = io_result("x");
    let _ = generic(1u8, vec![2, 3]);
    let _ = lifetimes("a", "b");
    let _ = impl_trait_arg([1u8, 2].into_iter());
    let _ = impl_trait_return(3).count();
    let _ = result_of_impl_trait(1);
    let _ = mut_and_patterns(1, (2, 3), [4, 5]);
    let byte = 7u8;
    // SAFETY: `byte` is alive.
    let _ = unsafe { read(&byte) };
    let _: fn(&str) -> ! = never_returns;
    let _ = boxed_dyn_error(true);
    let _ = string_error(true);
    let _ = opaque_error(true);
    let _ = generic_error::<NoDebugOk>(Ok(1));
    let _ = retry(|| "1".parse::<u8>(), 2);
    let _ = borrowed_error("x");
    let _ = borrowed_dyn_error("x");
    let mut store = Store::new("s");
    let _ = store.name();
    store.items_mut().push(1);
    let _ = store.iter().count();
    let _ = store.shout();
    let _ = Box::new(store.clone()).boxed();
    let _ = store.push(2).into_items();
    let _ = all_arguments("pw");
}

#[derive(Debug)]
struct NoDebugOk;
