//! Table rows → spec fields, with the models and enums those fields need.

use std::collections::BTreeSet;

use super::context::Context;
use super::dotted::{self, Node, Shape};
use super::enums;
use super::evidence::{self, evidence, resolve};
use super::example;
use super::naming::{self, Namer};
use super::page::{ModelTable, Page, Row};
use super::types;
use crate::spec::{Enum, EnumValue, Field, Model, TypeRef};

/// Where fields go: the action's request or response, or a model.
pub(super) struct Owner<'o> {
    /// What names made for its fields' types start with: the action or the model.
    pub name: &'o str,
    /// Where problems with its rows are reported: `request`, `response`, `models.ImageSet`.
    pub place: &'o str,
    /// The target spec's fields at this place, whose model types are reused.
    pub existing: &'o [Field],
}

pub(super) struct Builder<'a> {
    tables: &'a [ModelTable],
    /// The page's response example, which shows what a bare `array` holds.
    example: Option<serde_json::Value>,
    /// The bare `array`/`object` row (by line) that only the page's unreferenced table explains.
    orphan: Option<(usize, String)>,
    ctx: Context<'a>,
    namer: Namer<'a>,
    /// Page tables the fields use, in first-use order.
    referenced: Vec<String>,
    /// Models made from dotted rows, in the order made.
    made: Vec<Model>,
    /// Enums proposed from descriptions.
    pub proposals: Vec<Enum>,
    /// Enums of the spec a description listed the values of, used in place of a proposal for
    /// a field the spec does not already type with them: the page's own list as much as a
    /// proposal is (another page proposed it first).
    pub listed: Vec<String>,
    /// Types fields refer to that neither the page nor the spec describes: such fields are
    /// dropped once every field is built.
    pub undescribed: Vec<String>,
    pub problems: Vec<String>,
    pub notes: Vec<String>,
}

impl<'a> Builder<'a> {
    pub fn new(page: &'a Page, ctx: Context<'a>, action: &str, problems: Vec<String>) -> Self {
        let tables = &page.models[..];
        let namer = Namer::new(ctx, action, tables.iter().map(|t| t.name.as_str()));
        let example = example::response_json(&page.response_example);
        Builder {
            tables,
            orphan: evidence::orphan(page, example.as_ref()),
            example,
            ctx,
            namer,
            referenced: Vec::new(),
            made: Vec::new(),
            proposals: Vec::new(),
            listed: Vec::new(),
            undescribed: Vec::new(),
            problems,
            notes: Vec::new(),
        }
    }

    /// The fields of one table, the rows named in `skip` left out.
    pub fn fields(&mut self, rows: &[Row], owner: &Owner, skip: &[&str]) -> Vec<Field> {
        let nodes = dotted::tree(rows, owner.place, skip, &mut self.problems);
        nodes.iter().filter_map(|n| self.field(n, owner)).collect()
    }

    /// Every model the fields use: the page's tables (in first-use order, each table's own
    /// references after it), then the models made from dotted rows.
    pub fn models(&mut self) -> Vec<Model> {
        let tables = self.tables;
        let mut models = Vec::new();
        let mut i = 0;
        while i < self.referenced.len() {
            let name = self.referenced[i].clone();
            i += 1;
            let Some(table) = tables.iter().find(|t| t.name == name) else {
                if self.ctx.model(&name).is_some() || self.ctx.enum_named(&name).is_some() {
                    self.notes.push(format!("models.{name}: no table of the page describes it; the spec's is used"));
                } else {
                    self.problems.push(format!(
                        "models.{name}: referenced but no table describes it; the fields of that type are skipped"
                    ));
                    self.undescribed.push(name);
                }
                continue;
            };
            let existing = self.ctx.model(&name).map_or(&[][..], |m| &m.fields);
            let place = format!("models.{name}");
            let fields = self.fields(&table.rows, &Owner { name: &name, place: &place, existing }, &[]);
            models.push(Model { name, description: String::new(), from_string: None, fields });
        }
        for t in tables.iter().filter(|t| !self.referenced.contains(&t.name)) {
            self.problems
                .push(format!("line {}: model table {} is not referenced by any field; skipped", t.line, t.name));
        }
        models.append(&mut self.made);
        models
    }

    fn field(&mut self, node: &Node, owner: &Owner) -> Option<Field> {
        let (ty, description) = match &node.shape {
            Shape::Value(row) => (self.value_type(node, row, owner)?, row.description.clone()),
            Shape::Object(children) => {
                let model = self.object_model(node, children, owner);
                (if node.list { format!("array[{model}]") } else { model }, String::new())
            }
        };
        // UCloud's times (`CreateTime`, `UpdateTime`) come as text or as Unix seconds whatever a
        // page says: a response's or model's `...Time` that the page shows to be a point in time
        // is a typed time, its page type kept as `doc_type`. Many `...Time` fields are durations
        // or hours of the day (`BackupBeginTime`, "in hours"), so the name alone proves nothing.
        // Request parameters keep the page's type, which is what the service reads.
        let (ty, doc_type) = match ty.as_str() {
            "int" | "string" if node.name.ends_with("Time") && owner.place != "request" => {
                let place = format!("{}.{}", owner.place, node.name);
                match evidence::time(self.example.as_ref(), &node.name, &description) {
                    Ok(why) => {
                        self.notes.push(format!("{place}: a time, as {why}"));
                        ("time".to_owned(), Some(ty))
                    }
                    Err(why) => {
                        self.notes.push(format!("{place}: kept as the page's {ty}, not a time: {why}"));
                        (ty, None)
                    }
                }
            }
            _ => (ty, None),
        };
        Some(Field {
            name: node.name.clone(),
            ty: ty.into(),
            doc_type: doc_type.map(Into::into),
            required: node.required(),
            default: None,
            rust_name: None,
            description,
        })
    }

    fn value_type(&mut self, node: &Node, row: &Row, owner: &Owner) -> Option<String> {
        let (line, place, name) = (row.line, owner.place, &row.name);
        let tables = self.tables;
        let ty = match row.ty.trim().to_lowercase().as_str() {
            "object" => match self.element(row, owner, true) {
                Some((table, why)) => {
                    self.notes.push(format!("{place}.{name}: the page's type is `object`; {why}, so it is a {table}"));
                    types::map(&table, &mut self.referenced, &|w| resolve(tables, w))
                }
                None if place != "request" => {
                    self.notes.push(format!(
                        "{place}.{name}: the page's type is `object` and nothing says its fields, so it is `json` \
                         (any value, kept as sent)"
                    ));
                    Some("json".to_owned())
                }
                None => {
                    self.problems.push(format!(
                        "line {line}: {place}.{name}: type `object` is a JSON object whose fields neither a table \
                         of the page nor its description lists, and a request cannot send free-form JSON; skipped"
                    ));
                    return None;
                }
            },
            "array" => match self.element(row, owner, false) {
                Some((element, why)) => {
                    self.notes.push(format!(
                        "{place}.{name}: the page's type is `array`; {why}, so it is a list of {element}"
                    ));
                    types::map(&format!("array[{element}]"), &mut self.referenced, &|w| resolve(tables, w))
                }
                None if place != "request" => {
                    self.notes.push(format!(
                        "{place}.{name}: the page's type is `array` and nothing says of what, so it is `json` \
                         (any value, kept as sent)"
                    ));
                    Some("json".to_owned())
                }
                None => {
                    self.problems.push(format!(
                        "line {line}: {place}.{name}: type `array` does not say of what; neither the description \
                         nor a table shows the items' type, and a request cannot send free-form JSON; skipped"
                    ));
                    return None;
                }
            },
            _ => types::map(&row.ty, &mut self.referenced, &|w| resolve(tables, w)),
        };
        let Some(ty) = ty else {
            self.problems.push(format!("line {line}: {place}.{name}: unknown type {:?}; skipped", row.ty));
            return None;
        };
        let ty = match (node.list, TypeRef::parse(&ty).is_array()) {
            (false, _) => ty,
            (true, false) => format!("array[{ty}]"),
            (true, true) => {
                let (line, place, name) = (row.line, owner.place, &row.name);
                self.problems.push(format!(
                    "line {line}: {place}.{name}: a list of {ty} is a list of lists, which the spec cannot express; skipped"
                ));
                return None;
            }
        };
        let proposal = match ty.as_str() {
            "string" | "array[string]" => self.enum_for(node, &row.description, owner, ty != "string"),
            _ => None,
        };
        // A list's description lists the values its items take: a list of that enum, whether the
        // list is spelled `Names.N` or `array[string]`.
        Some(match proposal {
            Some(e) if ty != "string" => format!("array[{e}]"),
            Some(e) => e,
            None => ty,
        })
    }

    /// What a bare `array` row holds (or, `object`, which table an `object` row is), and why:
    /// see [`evidence`]; else, when the page has exactly one such row that nothing else
    /// explains and exactly one data-model table no field refers to, that table (the older
    /// layout documents these fields by the table right after the response table).
    fn element(&self, row: &Row, owner: &Owner, object: bool) -> Option<(String, String)> {
        evidence(self.tables, self.example.as_ref(), row, owner.place == "request", object).or_else(|| {
            let (_, table) = self.orphan.as_ref().filter(|(line, _)| *line == row.line)?;
            Some((table.clone(), format!("{table} is the only table of the page no field refers to")))
        })
    }

    /// The enum a description enumerates: one of the target spec or of this page with the same
    /// values, else a new proposal named by the naming rule.
    /// The enum a string's (or, `list`, a list's items') description lists, named in the
    /// singular for a list.
    fn enum_for(&mut self, node: &Node, description: &str, owner: &Owner, list: bool) -> Option<String> {
        let values = enums::values(description)?;
        if let Some(e) = self.ctx.enum_with_values(&values) {
            // Unless the spec already types this very field with it: then it is the spec's.
            let spec_type = owner.existing.iter().find(|f| f.name == node.name).and_then(|f| f.ty.base().name());
            if spec_type != Some(e.name.as_str()) && !self.listed.contains(&e.name) {
                self.listed.push(e.name.clone());
            }
            return Some(e.name.clone());
        }
        if let Some(e) = self.proposals.iter().find(|e| same_values(&e.values, &values)) {
            return Some(e.name.clone());
        }
        let name = self.namer.claim(&naming::for_field(owner.name, &node.name, list));
        let description = format!("The values the page lists for {}.", node.path);
        self.proposals.push(Enum { name: name.clone(), description, values });
        Some(name)
    }

    /// The model of an object made of dotted rows, by the first rule that applies: the model
    /// the target spec already gives this field; a table of the page with exactly these field
    /// names; a new model named by the naming rule.
    fn object_model(&mut self, node: &Node, children: &[Node], owner: &Owner) -> String {
        let spec_type = owner.existing.iter().find(|f| f.name == node.name).and_then(|f| f.ty.base().name());
        if let Some(model) = spec_type.and_then(|t| self.ctx.model(t)) {
            self.notes.push(format!(
                "models.{}: the spec's model for {}; the page's rows are merged into it",
                model.name, node.path
            ));
            self.make(&model.name, children, &model.fields, owner.place);
            return model.name.clone();
        }
        let names: BTreeSet<&str> = children.iter().map(|c| c.name.as_str()).collect();
        let tables = self.tables;
        let first_names =
            |t: &'a ModelTable| t.rows.iter().map(|r| r.name.split('.').next().unwrap_or("")).collect::<BTreeSet<_>>();
        if let Some(table) = tables.iter().find(|t| first_names(t) == names) {
            self.notes
                .push(format!("models.{}: has the fields of the rows {}.*, so it types them", table.name, node.path));
            if !self.referenced.contains(&table.name) {
                self.referenced.push(table.name.clone());
            }
            return table.name.clone();
        }
        let name = self.namer.claim(&naming::for_field(owner.name, &node.name, node.list));
        self.notes.push(format!("models.{name}: made from the page's {}.* rows", node.path));
        self.make(&name, children, &[], owner.place);
        name
    }

    /// Builds a model from dotted rows, listed before the models of its fields; a second
    /// object for the same model adds the fields the first lacked.
    fn make(&mut self, name: &str, children: &[Node], existing: &[Field], place: &str) {
        let at = self.made.iter().position(|m| m.name == name).unwrap_or_else(|| {
            let model =
                Model { name: name.to_owned(), description: String::new(), from_string: None, fields: Vec::new() };
            self.made.push(model);
            self.made.len() - 1
        });
        let fields: Vec<Field> =
            children.iter().filter_map(|c| self.field(c, &Owner { name, place, existing })).collect();
        let model = &mut self.made[at];
        let new: Vec<Field> = fields.into_iter().filter(|f| !model.fields.iter().any(|e| e.name == f.name)).collect();
        model.fields.extend(new);
    }
}

fn same_values(a: &[EnumValue], b: &[EnumValue]) -> bool {
    let set = |vs: &[EnumValue]| vs.iter().map(|v| v.value.clone()).collect::<BTreeSet<_>>();
    set(a) == set(b)
}
