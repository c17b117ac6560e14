//! Crash tests (issue 16): with the `failpoints` feature the process aborts right after its k-th
//! change to the file system when `CERTBUNDLE_FAILPOINT=k`, so a test can stop a build, `extract
//! -o` or `fetch -o` at every step and check what it left. Only the tests turn the feature on
//! (the crate is its own dev-dependency with it, see Cargo.toml); a release build has neither the
//! code nor the variable's name. Every change goes through [`changed`].

/// Passes `result` through, counting it as one change to the file system when it succeeded.
pub(crate) fn changed<T>(result: std::io::Result<T>) -> std::io::Result<T> {
    if result.is_ok() {
        after_change();
    }
    result
}

#[cfg(feature = "failpoints")]
fn after_change() {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static DONE: AtomicU64 = AtomicU64::new(0);
    static LIMIT: OnceLock<Option<u64>> = OnceLock::new();
    let limit = LIMIT.get_or_init(|| {
        std::env::var("CERTBUNDLE_FAILPOINT")
            .ok()
            .and_then(|k| k.parse().ok())
    });
    if let Some(k) = limit
        && DONE.fetch_add(1, Ordering::SeqCst) + 1 == *k
    {
        std::process::abort();
    }
}

#[cfg(not(feature = "failpoints"))]
#[inline(always)]
fn after_change() {}
