//! Dotted row names folded into a tree of fields.
//!
//! Pages list the parts of structured parameters as rows of their own: `UHostIds.N` is a list
//! of values, `Disks.N.Size` a field of each item of a list, `EIP.Bandwidth` a field of one
//! nested value, to any depth (`NetworkInterface.N.EIP.Bandwidth`, `Rules.N.Ports.N`). Rows
//! that share a prefix become children of one node. A row that contradicts the shape earlier
//! rows gave a prefix (a value that is also an object, a list that is also a single value) is
//! reported and skipped.

use super::page::Row;

/// One field: a row of the page, or an object made of the rows below it.
#[derive(Debug)]
pub(super) struct Node<'r> {
    pub name: String,
    /// The dotted prefix this node stands for, as the page writes it (`Disks.N`).
    pub path: String,
    /// `X.N`: the field holds a list.
    pub list: bool,
    /// The first row that made this node.
    pub line: usize,
    pub shape: Shape<'r>,
}

#[derive(Debug)]
pub(super) enum Shape<'r> {
    Value(&'r Row),
    Object(Vec<Node<'r>>),
}

impl Node<'_> {
    /// A value's own flag; an object is required when any row below it is (pages mark the rows,
    /// never the object: `Disks.N.Size` Yes means the call needs disks).
    pub fn required(&self) -> bool {
        match &self.shape {
            Shape::Value(row) => row.required,
            Shape::Object(children) => children.iter().any(Node::required),
        }
    }

    fn kind(&self) -> &'static str {
        match (&self.shape, self.list) {
            (Shape::Value(_), false) => "a value",
            (Shape::Value(_), true) => "a list of values",
            (Shape::Object(_), false) => "an object",
            (Shape::Object(_), true) => "a list of objects",
        }
    }
}

/// One step of a dotted name: a field name, and whether `.N` follows it.
struct Step<'s> {
    name: &'s str,
    list: bool,
}

/// More levels than any page uses; deeper names are refused rather than recursed into.
pub(super) const MAX_DEPTH: usize = 16;

fn steps(name: &str) -> Result<Vec<Step<'_>>, String> {
    let mut steps: Vec<Step> = Vec::new();
    for part in name.split('.') {
        if steps.len() > MAX_DEPTH {
            return Err(format!(": nests deeper than {MAX_DEPTH} levels; skipped"));
        }
        match steps.last_mut() {
            Some(last) if part == "N" || part == "n" => {
                if last.list {
                    return Err(": a list of lists (`.N.N`) cannot be expressed in the spec; skipped".into());
                }
                last.list = true;
            }
            _ if crate::names::is_ident(part) => steps.push(Step { name: part, list: false }),
            _ => return Err(format!(": {part:?} is not a name or `N`; skipped")),
        }
    }
    Ok(steps)
}

/// The rows of one table (those named in `skip` left out) as a tree, in first-row order.
pub(super) fn tree<'r>(rows: &'r [Row], place: &str, skip: &[&str], problems: &mut Vec<String>) -> Vec<Node<'r>> {
    let mut nodes = Vec::new();
    for row in rows.iter().filter(|r| !skip.contains(&r.name.as_str())) {
        let fitted = steps(&row.name).and_then(|steps| insert(&mut nodes, &steps, "", row));
        if let Err(why) = fitted {
            problems.push(format!("line {}: {place}.{}{why}", row.line, row.name));
        }
    }
    nodes
}

fn insert<'r>(nodes: &mut Vec<Node<'r>>, steps: &[Step], prefix: &str, row: &'r Row) -> Result<(), String> {
    let Some((step, rest)) = steps.split_first() else { return Ok(()) };
    let dot = if prefix.is_empty() { "" } else { "." };
    let path = format!("{prefix}{dot}{}{}", step.name, if step.list { ".N" } else { "" });
    let at = match nodes.iter().position(|n| n.name == step.name) {
        Some(at) => at,
        None => {
            let shape = if rest.is_empty() { Shape::Value(row) } else { Shape::Object(Vec::new()) };
            let name = step.name.to_owned();
            nodes.push(Node { name, path: path.clone(), list: step.list, line: row.line, shape });
            if rest.is_empty() {
                return Ok(());
            }
            nodes.len() - 1
        }
    };
    let node = &mut nodes[at];
    match (&mut node.shape, rest.is_empty()) {
        (Shape::Object(children), false) if node.list == step.list => insert(children, rest, &path, row),
        // Pages repeat a row word for word (one per item they mean); that loses nothing.
        (Shape::Value(first), true)
            if node.list == step.list && first.ty == row.ty && first.required == row.required =>
        {
            Ok(())
        }
        (Shape::Value(_), true) if node.list == step.list => {
            Err(" appears twice with another type or flag; the first is kept".into())
        }
        _ => Err(format!(
            ": does not fit {}, which line {} makes {}; skipped",
            node.path.trim_end_matches(".N"),
            node.line,
            node.kind()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: usize, name: &str, required: bool) -> Row {
        Row { line, name: name.into(), ty: "string".into(), description: String::new(), required }
    }

    /// The tree as `name[]{children}` text, for compact assertions.
    fn show(nodes: &[Node]) -> String {
        let one = |n: &Node| {
            let list = if n.list { "[]" } else { "" };
            match &n.shape {
                Shape::Value(_) => format!("{}{list}", n.name),
                Shape::Object(c) => format!("{}{list}{{{}}}", n.name, show(c)),
            }
        };
        nodes.iter().map(one).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn every_shape_nests() {
        let rows = [
            row(1, "Ids.N", false),
            row(2, "Disks.N.Size", true),
            row(3, "Disks.N.Type", false),
            row(4, "Nic.N.Eip.Bandwidth", false),
            row(5, "Rules.N.Ports.N", false),
            row(6, "Schedule.Cron", false),
            row(7, "Name", false),
        ];
        let mut problems = Vec::new();
        let nodes = tree(&rows, "request", &[], &mut problems);
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(show(&nodes), "Ids[] Disks[]{Size Type} Nic[]{Eip{Bandwidth}} Rules[]{Ports[]} Schedule{Cron} Name");
        let Shape::Object(nic) = &nodes[2].shape else { panic!("Nic is an object") };
        assert_eq!((nodes[2].path.as_str(), nic[0].path.as_str()), ("Nic.N", "Nic.N.Eip"));
        assert!(nodes[1].required(), "Disks.N.Size is required, so Disks is");
        assert!(!nodes[2].required());
    }

    #[test]
    fn a_row_repeated_word_for_word_loses_nothing() {
        // Pages repeat a row once per item they mean (`Master.N.Zone` for each of three nodes).
        let rows = [row(1, "Master.N.Zone", true), row(2, "Master.N.Zone", true), row(3, "Master.N.Zone", true)];
        let mut problems = Vec::new();
        let nodes = tree(&rows, "request", &[], &mut problems);
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(show(&nodes), "Master[]{Zone}");
    }

    #[test]
    fn contradicting_rows_are_reported_and_skipped() {
        let rows = [
            row(1, "Disks.N.Size", false),
            row(2, "Disks.N", false),
            row(3, "Disks.Size", false),
            row(4, "Ids.N", false),
            row(5, "Ids.N.Value", false),
            row(6, "Disks.N.Size", true),
            row(7, "Bad..Name", false),
            row(8, "Grid.N.N", false),
            row(9, &["A"; 20].join("."), false),
        ];
        let mut problems = Vec::new();
        let nodes = tree(&rows, "request", &[], &mut problems);
        assert_eq!(show(&nodes), "Disks[]{Size} Ids[]");
        assert_eq!(
            problems,
            [
                "line 2: request.Disks.N: does not fit Disks, which line 1 makes a list of objects; skipped",
                "line 3: request.Disks.Size: does not fit Disks, which line 1 makes a list of objects; skipped",
                "line 5: request.Ids.N.Value: does not fit Ids, which line 4 makes a list of values; skipped",
                "line 6: request.Disks.N.Size appears twice with another type or flag; the first is kept",
                "line 7: request.Bad..Name: \"\" is not a name or `N`; skipped",
                "line 8: request.Grid.N.N: a list of lists (`.N.N`) cannot be expressed in the spec; skipped",
                &format!("line 9: request.{}: nests deeper than 16 levels; skipped", ["A"; 20].join(".")),
            ]
        );
    }
}
