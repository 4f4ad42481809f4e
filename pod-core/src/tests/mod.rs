//! Engine tests over the fake store and the mockall runtime (see `testutil`).

mod create;
mod interrupted;
mod lifecycle;
mod reads;
mod start;
mod stop;
mod store_errors;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;
use crate::testutil::Gate;

/// The per-container errors of a partial failure of `op`.
pub(crate) fn partial(e: Error, want_op: &str) -> BTreeMap<String, Error> {
    match e {
        Error::Partial { op, errors, .. } if op == want_op => errors,
        e => panic!("expected a partial {want_op} error, got {e:?}"),
    }
}

/// Fails the test instead of hanging when the engine deadlocks.
pub(crate) async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect(
            "operation did not finish: deadlock (e.g. waves instead of a dependency-driven start)",
        )
}

/// A gate waiting on a barrier.
pub(crate) fn barrier_gate(b: Arc<tokio::sync::Barrier>) -> Gate {
    Arc::new(move || {
        let b = b.clone();
        Box::pin(async move {
            b.wait().await;
        })
    })
}

/// Position of a logged call.
pub(crate) fn pos(log: &[String], call: &str) -> usize {
    log.iter()
        .position(|l| l == call)
        .unwrap_or_else(|| panic!("{call:?} not in {log:#?}"))
}
