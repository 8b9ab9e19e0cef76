//! The registry side of UHub: what goes through the registry itself (the OCI Distribution
//! protocol) rather than UHub's management API.
