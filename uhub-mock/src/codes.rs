//! Every `RetCode` the mock answers with, in one table.
//!
//! The common codes (1xx, 2xx) are the ones UCloud documents for its API gateway. The UHub
//! rule codes are our own choice: UCloud does not publish UHub's, so we took unused numbers
//! below 2000, because clients (ours included) treat codes from 2000 up as server-side and
//! retryable, and breaking a rule such as "names are unique" must not be retried.

/// A `RetCode` with the meaning the mock gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// 160: the request has no `Action`.
    MissingAction,
    /// 161: the `Action` is unknown, or in the spec but not handled by the mock.
    UnknownAction,
    /// 170: the request has no `Signature`.
    MissingSignature,
    /// 171: the `Signature` does not match the request.
    WrongSignature,
    /// 172: the `PublicKey` is missing or not registered.
    UnknownPublicKey,
    /// 230: a parameter is missing or invalid; the message names it.
    InvalidParameter,
    /// 153: too many requests (only when injected as a fault).
    Throttled,
    /// 1601: `CreateRepo` with a name the project already has.
    RepoExists,
    /// 1602: `CreateRepo` past the per-project limit of [`crate::MAX_REPOS_PER_PROJECT`].
    RepoLimit,
    /// 1603: `DeleteRepo` on a repository that still holds images.
    RepoNotEmpty,
    /// 1604: the named repository does not exist in the project.
    RepoNotFound,
    /// 1605: the named image does not exist in the repository.
    ImageNotFound,
    /// 1606: the named tag does not exist on the image.
    TagNotFound,
    /// 1607: the mock's store is full: `CreateRepo` in a new project past
    /// [`crate::MAX_PROJECTS`]. Ours alone: the service has no such limit that we know of.
    StoreFull,
}

impl Code {
    /// Every code, for documentation and tests.
    pub const ALL: &'static [Code] = &[
        Code::MissingAction,
        Code::UnknownAction,
        Code::MissingSignature,
        Code::WrongSignature,
        Code::UnknownPublicKey,
        Code::InvalidParameter,
        Code::Throttled,
        Code::RepoExists,
        Code::RepoLimit,
        Code::RepoNotEmpty,
        Code::RepoNotFound,
        Code::ImageNotFound,
        Code::TagNotFound,
        Code::StoreFull,
    ];

    /// The number sent as `RetCode`.
    pub fn ret_code(self) -> i64 {
        match self {
            Code::MissingAction => 160,
            Code::UnknownAction => 161,
            Code::MissingSignature => 170,
            Code::WrongSignature => 171,
            Code::UnknownPublicKey => 172,
            Code::InvalidParameter => 230,
            Code::Throttled => 153,
            Code::RepoExists => 1601,
            Code::RepoLimit => 1602,
            Code::RepoNotEmpty => 1603,
            Code::RepoNotFound => 1604,
            Code::ImageNotFound => 1605,
            Code::TagNotFound => 1606,
            Code::StoreFull => 1607,
        }
    }

    /// The start of the `Message`; the mock appends the particulars.
    pub fn summary(self) -> &'static str {
        match self {
            Code::MissingAction => "Missing Action",
            Code::UnknownAction => "Action not found",
            Code::MissingSignature => "Missing signature",
            Code::WrongSignature => "Signature verification failed",
            Code::UnknownPublicKey => "Public key not found",
            Code::InvalidParameter => "Missing or invalid parameter",
            Code::Throttled => "Request throttled",
            Code::RepoExists => "Repository already exists",
            Code::RepoLimit => "Repository quota exceeded",
            Code::RepoNotEmpty => "Repository is not empty",
            Code::RepoNotFound => "Repository not found",
            Code::ImageNotFound => "Image not found",
            Code::TagNotFound => "Tag not found",
            Code::StoreFull => "The mock's store is full",
        }
    }

    /// An error reply with this code and `detail` after the summary.
    pub(crate) fn with(self, detail: impl std::fmt::Display) -> Reject {
        Reject { code: self.ret_code(), message: format!("{}: {detail}", self.summary()) }
    }
}

/// A request the mock refuses: the `RetCode` and `Message` of the reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reject {
    pub code: i64,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_rule_codes_are_not_retryable_ones() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.ret_code()), "{c:?} repeats {}", c.ret_code());
            assert!(c.ret_code() < 2000, "{c:?} would be retried by clients");
        }
    }
}
