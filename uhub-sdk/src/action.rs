//! The traits generated code implements, which the generic runtime drives.
//!
//! Generated code only fills in names and types; sending, retrying, decoding and paging live
//! once in the runtime and work for any type implementing these traits.

use serde::de::DeserializeOwned;

use crate::encode::Form;
use crate::form::{Fields, ParamError};
use crate::serialize::WireObject;

/// A typed request for one UHub action.
pub trait Action: Clone + Send + Sync + WireObject + 'static {
    /// The wire name, sent as `Action`.
    const NAME: &'static str;
    /// Whether sending the request twice has the same effect as sending it once.
    const IDEMPOTENT: bool;
    type Response: DeserializeOwned + Response + Send + 'static;

    /// Adds the parameters the call sets (its own and common ones such as `ProjectId`, but not
    /// `Action`, keys or signature) to `form`: the fields the request lists, in order.
    fn encode(&self, form: &mut Form) {
        crate::encode::encode_fields(self, form);
    }
    /// Client-side checks made before sending, such as required strings being non-empty (none
    /// unless the action has such parameters).
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
    /// Parses the request from the form a client sent: what a fake of the service needs.
    fn from_form(fields: &Fields) -> Result<Self, ParamError>;
}

/// A response: the envelope every one carries.
pub trait Response {
    /// Its `RetCode` and `Message`, and the slot for the request id. One method rather than
    /// one per part: each generated function is a body rustc builds, 1,650 times over at the
    /// whole catalogue.
    fn envelope(&mut self) -> Envelope<'_>;
}

/// What the runtime reads from and writes into a decoded response.
pub struct Envelope<'a> {
    /// `None` when the body had no `RetCode`, which makes it no UCloud response at all.
    pub ret_code: Option<i64>,
    pub message: Option<&'a str>,
    /// Where the service's id for the request (`X-UCLOUD-REQUEST-UUID`) goes once decoded.
    pub request_id: &'a mut Option<String>,
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
