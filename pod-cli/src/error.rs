//! The CLI's error: a message printed as `Error: <message>` and an exit code.

use std::fmt;

/// podman's exit code for its own errors.
pub const EXIT_ERROR: i32 = 125;

/// An error that ends the command with `code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// Exit code (125 unless said otherwise).
    pub code: i32,
    /// The message, without the `Error: ` prefix.
    pub message: String,
}

impl CliError {
    /// An error with exit code 125.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            code: EXIT_ERROR,
            message: message.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<pod_core::Error> for CliError {
    fn from(e: pod_core::Error) -> Self {
        Self::new(e.to_string())
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        Self::new(format!("{e:#}"))
    }
}

impl From<crate::template::TemplateError> for CliError {
    fn from(e: crate::template::TemplateError) -> Self {
        Self::new(e.to_string())
    }
}

impl From<crate::config::ConfigError> for CliError {
    fn from(e: crate::config::ConfigError) -> Self {
        Self::new(e.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::new(e.to_string())
    }
}

/// Result of a command: its exit code, or an error.
pub type CmdResult = Result<i32, CliError>;

/// Collects the errors of a command acting on several objects: each one but the last is
/// printed when the next arrives; the last is returned (podman's behavior).
#[derive(Debug, Default)]
pub struct Errors {
    last: Option<CliError>,
}

impl Errors {
    /// Records an error (printing the previous one).
    pub fn push(&mut self, e: impl Into<CliError>) {
        if let Some(prev) = self.last.replace(e.into()) {
            eprintln!("Error: {prev}");
        }
    }

    /// The final result: success, or the last error.
    pub fn finish(self) -> CmdResult {
        match self.last {
            None => Ok(0),
            Some(e) => Err(e),
        }
    }
}

/// Collects the results of `rm` over several targets, as podman reports them: a missing
/// target is skipped with `--ignore`, and when every failure was "no such ...", the exit
/// code is 1 rather than 125.
#[derive(Default)]
pub struct RmErrors {
    errs: Errors,
    other_failure: bool,
}

impl RmErrors {
    /// Records one target's result, printing the removed id.
    pub fn record<T: std::fmt::Display>(&mut self, r: pod_core::Result<T>, ignore: bool) {
        match r {
            Ok(id) => println!("{id}"),
            Err(e) if e.is_not_found() => {
                if !ignore {
                    self.errs.push(e);
                }
            }
            Err(e) => {
                self.other_failure = true;
                self.errs.push(e);
            }
        }
    }

    /// The final result; exit code 1 when only missing targets failed.
    pub fn finish(self) -> CmdResult {
        let only_missing = !self.other_failure;
        self.errs.finish().map_err(|mut e| {
            if only_missing {
                e.code = 1;
            }
            e
        })
    }
}
