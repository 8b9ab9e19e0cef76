//! The traits generated code implements, which the generic runtime drives.
//!
//! Generated code only fills in names and types; sending, retrying, decoding and paging live
//! once in the runtime and work for any type implementing these traits.

use serde::de::DeserializeOwned;

use crate::encode::Form;
use crate::form::{Fields, ParamError};

/// A typed request for one UHub action.
pub trait Action: Clone + Send + Sync + 'static {
    /// The wire name, sent as `Action`.
    const NAME: &'static str;
    /// Whether sending the request twice has the same effect as sending it once.
    const IDEMPOTENT: bool;
    type Response: DeserializeOwned + Response + Send + 'static;

    /// Adds the parameters the call sets (its own and common ones such as `ProjectId`, but not
    /// `Action`, keys or signature) to `form`.
    fn encode(&self, form: &mut Form);
    /// Client-side checks made before sending, such as required strings being non-empty.
    fn check(&self) -> Result<(), String>;
    /// Parses the request from the form a client sent: what a fake of the service needs.
    fn from_form(fields: &Fields) -> Result<Self, ParamError>;
}

/// The envelope every response carries.
pub trait Response {
    /// `None` when the body had no `RetCode`, which makes it no UCloud response at all.
    fn ret_code(&self) -> Option<i64>;
    /// Records the service's id for the request (`X-UCLOUD-REQUEST-UUID`) once decoded.
    fn set_request_id(&mut self, id: Option<String>);
    fn message(&self) -> Option<&str>;
}

/// An action whose results come in offset/limit pages.
pub trait Paginated: Action {
    type Item: Send + 'static;

    fn offset(&self) -> Option<i64>;
    fn set_offset(&mut self, offset: i64);
    fn limit(&self) -> Option<i64>;
    fn set_limit(&mut self, limit: i64);
    fn into_page(response: Self::Response) -> Page<Self::Item>;
}

/// One page of a listing: the service's total over all pages, and this page's items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub total: i64,
    pub items: Vec<T>,
}
