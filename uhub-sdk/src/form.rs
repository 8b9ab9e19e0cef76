//! Form fields → typed request parameters: the server side of [`crate::encode`].
//!
//! The generated `Action::from_form` of every request uses these functions, so a fake of the
//! service (such as `uhub-mock`) parses exactly what this client sends.

use std::collections::BTreeMap;

/// The fields of a received form. When a name repeats, the first value wins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    map: BTreeMap<String, String>,
}

impl Fields {
    /// Parses an `application/x-www-form-urlencoded` body.
    pub fn parse(body: &[u8]) -> Self {
        let mut map = BTreeMap::new();
        for (k, v) in form_urlencoded::parse(body) {
            map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
        Self { map }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// Whether any field is `name` itself or starts with `name.`.
    pub fn has_prefix(&self, name: &str) -> bool {
        let dotted = format!("{name}.");
        self.map
            .range(name.to_owned()..)
            .take_while(|(k, _)| k.starts_with(name))
            .any(|(k, _)| k == name || k.starts_with(&dotted))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Fields {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = BTreeMap::new();
        for (k, v) in iter {
            map.entry(k.into()).or_insert_with(|| v.into());
        }
        Self { map }
    }
}

/// A parameter that is missing or does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("parameter {param}: {problem}")]
pub struct ParamError {
    /// The wire name, e.g. `RepoName` or `Tags.2.Key`.
    pub param: String,
    pub problem: String,
}

/// A scalar parameter read from one field's text.
pub trait FromParam: Sized {
    fn from_value(value: &str) -> Result<Self, String>;
}

impl FromParam for String {
    fn from_value(value: &str) -> Result<Self, String> {
        Ok(value.to_owned())
    }
}

impl FromParam for i64 {
    fn from_value(value: &str) -> Result<Self, String> {
        value.trim().parse().map_err(|_| format!("\"{value}\" is not an integer"))
    }
}

impl FromParam for f64 {
    fn from_value(value: &str) -> Result<Self, String> {
        match value.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(f),
            _ => Err(format!("\"{value}\" is not a number")),
        }
    }
}

impl FromParam for crate::Time {
    fn from_value(value: &str) -> Result<Self, String> {
        Ok(crate::Time::parse(value))
    }
}

impl FromParam for bool {
    fn from_value(value: &str) -> Result<Self, String> {
        match value {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("\"{value}\" is not true or false")),
        }
    }
}

/// A parameter made of several fields under a common prefix (a model: `Name.Field`).
pub trait FromParams: Sized {
    fn from_params(fields: &Fields, name: &str) -> Result<Option<Self>, ParamError>;
}

/// For generated enums: accepts only the documented values.
pub fn known_value<T>(parsed: T, value: &str, values: &[&str]) -> Result<T, String> {
    if values.contains(&value) { Ok(parsed) } else { Err(format!("\"{value}\" is not one of {}", values.join(", "))) }
}

/// Reads the parameters of one request (or of one model under its prefix) field by field,
/// keeping the first problem: what generated `from_form` and `from_params` are written with,
/// one call per field and no early return, so each is a straight line for rustc to compile.
/// A field that cannot be read takes its default; [`FormReader::finish`] then reports the
/// first problem, in field order, as reading stopped at the first one did.
pub struct FormReader<'a> {
    fields: &'a Fields,
    prefix: Option<&'a str>,
    problem: Option<ParamError>,
}

impl<'a> FormReader<'a> {
    pub fn new(fields: &'a Fields) -> Self {
        FormReader { fields, prefix: None, problem: None }
    }

    /// A reader of the fields of the model sent as `prefix` (`Name.Field`).
    pub fn nested(fields: &'a Fields, prefix: &'a str) -> Self {
        FormReader { fields, prefix: Some(prefix), problem: None }
    }

    /// The parameter `wire` read with `get` (one of this module's `optional_value`,
    /// `required_value`, `value_list`, ... functions).
    pub fn read<T: Default>(&mut self, wire: &str, get: fn(&Fields, &str) -> Result<T, ParamError>) -> T {
        if self.problem.is_some() {
            return T::default();
        }
        let read = match self.prefix {
            Some(prefix) => get(self.fields, &format!("{prefix}.{wire}")),
            None => get(self.fields, wire),
        };
        read.unwrap_or_else(|problem| {
            self.problem = Some(problem);
            T::default()
        })
    }

    /// `value`, unless a field could not be read.
    pub fn finish<T>(self, value: T) -> Result<T, ParamError> {
        match self.problem {
            Some(problem) => Err(problem),
            None => Ok(value),
        }
    }
}

fn missing(name: &str) -> ParamError {
    ParamError { param: name.to_owned(), problem: "is required but missing".to_owned() }
}

pub fn optional_value<T: FromParam>(fields: &Fields, name: &str) -> Result<Option<T>, ParamError> {
    fields
        .get(name)
        .map(|v| T::from_value(v).map_err(|problem| ParamError { param: name.to_owned(), problem }))
        .transpose()
}

pub fn required_value<T: FromParam>(fields: &Fields, name: &str) -> Result<T, ParamError> {
    optional_value(fields, name)?.ok_or_else(|| missing(name))
}

/// `Name.0`, `Name.1`, ... up to the first missing index.
pub fn value_list<T: FromParam>(fields: &Fields, name: &str) -> Result<Vec<T>, ParamError> {
    let mut items = Vec::new();
    while let Some(v) = optional_value(fields, &format!("{name}.{}", items.len()))? {
        items.push(v);
    }
    Ok(items)
}

/// Like [`value_list`], for a required array: no element is a missing parameter.
pub fn required_value_list<T: FromParam>(fields: &Fields, name: &str) -> Result<Vec<T>, ParamError> {
    let items = value_list(fields, name)?;
    if items.is_empty() { Err(missing(name)) } else { Ok(items) }
}

pub fn optional_model<T: FromParams>(fields: &Fields, name: &str) -> Result<Option<T>, ParamError> {
    T::from_params(fields, name)
}

pub fn required_model<T: FromParams>(fields: &Fields, name: &str) -> Result<T, ParamError> {
    T::from_params(fields, name)?.ok_or_else(|| missing(name))
}

pub fn model_list<T: FromParams>(fields: &Fields, name: &str) -> Result<Vec<T>, ParamError> {
    let mut items = Vec::new();
    while let Some(v) = T::from_params(fields, &format!("{name}.{}", items.len()))? {
        items.push(v);
    }
    Ok(items)
}

/// Like [`model_list`], for a required array: no element is a missing parameter.
pub fn required_model_list<T: FromParams>(fields: &Fields, name: &str) -> Result<Vec<T>, ParamError> {
    let items = model_list(fields, name)?;
    if items.is_empty() { Err(missing(name)) } else { Ok(items) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_url_encoded_body_and_keeps_first_duplicate() {
        let f = Fields::parse(b"A=a+b%2B&B=1&A=second");
        assert_eq!(f.get("A"), Some("a b+"));
        assert_eq!(f.get("B"), Some("1"));
    }

    #[test]
    fn missing_and_malformed_params_are_named() {
        let f: Fields = [("Limit", "ten")].into_iter().collect();
        assert_eq!(
            required_value::<String>(&f, "RepoName").unwrap_err().to_string(),
            "parameter RepoName: is required but missing"
        );
        assert_eq!(
            optional_value::<i64>(&f, "Limit").unwrap_err().to_string(),
            "parameter Limit: \"ten\" is not an integer"
        );
    }

    #[test]
    fn a_reader_reports_the_first_problem_in_field_order() {
        let f: Fields = [("Limit", "ten"), ("Tag.Size", "big"), ("Tag.Name", "n")].into_iter().collect();
        let mut r = FormReader::new(&f);
        let read: (Option<i64>, String) = (r.read("Limit", optional_value), r.read("RepoName", required_value));
        assert_eq!(read, (None, String::new()));
        assert_eq!(r.finish(read).unwrap_err().to_string(), "parameter Limit: \"ten\" is not an integer");
        let mut r = FormReader::nested(&f, "Tag");
        let read: (String, Option<i64>) = (r.read("Name", required_value), r.read("Size", optional_value));
        assert_eq!(r.finish(read).unwrap_err().to_string(), "parameter Tag.Size: \"big\" is not an integer");
        let mut r = FormReader::nested(&f, "Tag");
        let name: String = r.read("Name", required_value);
        assert_eq!(r.finish(name).unwrap(), "n");
    }

    #[test]
    fn lists_stop_at_first_gap() {
        let f: Fields = [("Id.0", "1"), ("Id.1", "2"), ("Id.3", "4")].into_iter().collect();
        assert_eq!(value_list::<i64>(&f, "Id").unwrap(), vec![1, 2]);
    }

    #[test]
    fn a_required_list_without_elements_is_missing() {
        let f: Fields = [("Id.0", "1")].into_iter().collect();
        assert_eq!(required_value_list::<i64>(&f, "Id").unwrap(), vec![1]);
        assert_eq!(
            required_value_list::<i64>(&f, "Other").unwrap_err().to_string(),
            "parameter Other: is required but missing"
        );
    }

    #[test]
    fn prefix_matches_whole_segments_only() {
        let f: Fields = [("Tags.0.Key", "k")].into_iter().collect();
        assert!(f.has_prefix("Tags.0"));
        assert!(!f.has_prefix("Tag"));
        assert!(!f.has_prefix("Tags.1"));
    }
}
