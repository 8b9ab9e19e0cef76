//! The surface generated code is written against, and what fakes of the service (such as
//! `uhub-mock`) reuse: the traits each action implements, form encoding and parsing, tolerant
//! decoding, signing, and the client and call cores that the generated `Client` and `Call`
//! wrap.
//!
//! Programs that only call UHub need none of this. Generated code reaches the runtime only
//! through this module, as `::uhub_sdk::runtime::...`, so the same generator output compiles
//! inside this crate or in any other (the generator's golden crate does exactly that).

pub use crate::action::{Action, Envelope, Page, Paginated, Response};
pub use crate::any::{Prepared, prepare, send as send_prepared};
pub use crate::builder::ClientBuilder;
pub use crate::call::CallCore;
pub use crate::client::ClientCore;
pub use crate::credentials::{Credentials, Secret};
pub use crate::decode::{Lenient, ListLimits, envelope, lenient, model, response, response_within};
pub use crate::encode::{BoolAsText, Form, Param, bool_as_text, ret_code_or_zero};
pub use crate::error::Error;
pub use crate::form::{
    Fields, FormReader, FromParam, FromParams, ParamError, known_value, model_list, optional_model, optional_value,
    required_model, required_model_list, required_value, required_value_list, value_list,
};
pub use crate::paginate::Paginator;
pub use crate::retry::RetryPolicy;
pub use crate::serialize::{
    WireField, WireList, WireObject, WireValue, bool_text, debug_object, debug_response, object_eq, serialize_object,
};
pub use crate::service::{Service, Target};
pub use crate::sign::{sign, sign_form};
pub use crate::signed::SignedRequest;
pub use crate::table::{FieldTable, field, field_index, object, read_field};
pub use crate::time::Time;
/// Re-exported so generated code derives with the same serde as the runtime, whatever the
/// crate it is compiled in depends on.
pub use serde;
pub use serde_json;
