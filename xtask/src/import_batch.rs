//! `cargo xtask import-doc PAGE_OR_DIR... [--write [--allow-partial]]` with several pages or
//! a folder (a catalogue's or a product's pages, read recursively, `.md` and `.txt` files in
//! name order).
//!
//! Every page is read first, on its own, to learn its action and what it says of itself. An
//! action several pages document is given one page by the rules of `import::choose` (a JSON-body
//! page, a title marked old, the older layout, a folder the catalogue's navigation does not list,
//! a page no sidebar links to lose); each conflict it resolved is listed on stderr
//! (`resolved:`), and one no rule settles is refused by the action's name (`unsettled:`) and
//! the action left out. Then the spec is read and indexed once, the chosen pages are imported
//! into it and merged in turn, and the merged spec is validated once at the end, so a page costs
//! the same whatever the size of the spec. Each page's unmapped rows (`not mapped:`), example
//! warnings (`example:`) and refusal (`refused:`) go to stderr, prefixed with the page; stdout
//! gets a summary table, one row per product (a page's folder, less `-api`). Pages that are not
//! API pages (an index, a glossary) or that document another kind of call are refused and
//! counted; they never stop the batch. `--write` writes only when no page is partial and no
//! conflict is unsettled, unless `--allow-partial`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use uhub_codegen::import::{self, Candidate, Catalog, Choice, Import, Refused};
use uhub_codegen::products;
use uhub_codegen::spec::{self, Spec};
use uhub_codegen::sync;

use crate::catalogue_nav::Navigation;
use crate::import_doc::{Options, check, read_spec, say};
use crate::{example_check, row_check};

/// What happened to one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Added,
    Changed,
    Unchanged,
    /// Another page of its action was chosen.
    Superseded,
    /// Its action has pages no rule tells apart: none is imported.
    Unsettled,
    NotApi,
    OtherKind,
}

/// One product's counts: a row of the summary.
#[derive(Debug, Default, Clone)]
struct Tally {
    pages: usize,
    /// Actions whose chosen page is this product's.
    actions: usize,
    added: usize,
    changed: usize,
    unchanged: usize,
    /// Pages another page of their action was chosen over.
    superseded: usize,
    /// Of those, pages that said something else than the chosen one.
    conflicts: usize,
    unsettled: usize,
    /// Imported pages with at least one API row not mapped.
    partial: usize,
    not_api: usize,
    other_kind: usize,
    rows_not_mapped: usize,
    example_warnings: usize,
    /// Models this product's actions use that other products' actions use too.
    shared_models: usize,
}

impl Tally {
    fn add(&mut self, outcome: Outcome, problems: usize, warnings: usize) {
        self.pages += 1;
        match outcome {
            Outcome::Added => self.added += 1,
            Outcome::Changed => self.changed += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Superseded => self.superseded += 1,
            Outcome::Unsettled => self.unsettled += 1,
            Outcome::NotApi => self.not_api += 1,
            Outcome::OtherKind => self.other_kind += 1,
        }
        self.partial += usize::from(problems > 0);
        self.rows_not_mapped += problems;
        self.example_warnings += warnings;
    }

    fn sum(&mut self, other: &Tally) {
        let (a, b) = (self.cells(), other.cells());
        let summed: Vec<usize> = a.iter().zip(b).map(|(x, y)| x + y).collect();
        *self = Tally::from_cells(&summed);
    }

    fn cells(&self) -> [usize; 14] {
        [
            self.pages,
            self.actions,
            self.added,
            self.changed,
            self.unchanged,
            self.superseded,
            self.conflicts,
            self.unsettled,
            self.partial,
            self.not_api,
            self.other_kind,
            self.rows_not_mapped,
            self.example_warnings,
            self.shared_models,
        ]
    }

    fn from_cells(c: &[usize]) -> Tally {
        Tally {
            pages: c[0],
            actions: c[1],
            added: c[2],
            changed: c[3],
            unchanged: c[4],
            superseded: c[5],
            conflicts: c[6],
            unsettled: c[7],
            partial: c[8],
            not_api: c[9],
            other_kind: c[10],
            rows_not_mapped: c[11],
            example_warnings: c[12],
            shared_models: c[13],
        }
    }
}

const COLUMNS: [&str; 14] = [
    "pages",
    "actions",
    "added",
    "changed",
    "unchanged",
    "superseded",
    "conflicts resolved",
    "unsettled",
    "partial",
    "not API",
    "other kind",
    "rows not mapped",
    "example warnings",
    "shared models",
];

/// A page read on its own, before any is merged.
struct Read {
    path: PathBuf,
    name: String,
    text: String,
    /// Its import on its own, or why it is no API page.
    alone: Result<Import, Refused>,
}

pub fn run(root: &Path, opts: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), String> {
    let started = Instant::now();
    let pages = expand(&opts.pages)?;
    let nav = Navigation::read(&opts.pages, &pages);
    let mut read = Vec::new();
    for path in &pages {
        let name = path.display().to_string();
        let text = fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        let alone = import::import(&text);
        read.push(Read { path: path.clone(), name, text, alone });
    }
    let mut products: BTreeMap<String, Tally> = BTreeMap::new();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; read.len()];
    let chosen = choose_pages(&read, &nav, &mut outcomes, &mut products, err)?;
    let spec_name = opts.spec_name();
    let (spec_path, before, spec) = read_spec(root, opts)?;
    let mut catalog = Catalog::new(spec);
    let indexed = started.elapsed();
    for (at, page) in read.iter().enumerate() {
        let name = &page.name;
        let (outcome, problems, warnings) = match (&page.alone, outcomes[at]) {
            (Err(refused), _) => {
                say(err, &format!("{name}: refused: {refused}"))?;
                let outcome = match refused {
                    Refused::NotApi(_) => Outcome::NotApi,
                    Refused::OtherKind(_) => Outcome::OtherKind,
                };
                (outcome, 0, 0)
            }
            (Ok(_), Some(outcome)) => (outcome, 0, 0),
            (Ok(_), None) => {
                debug_assert!(chosen.contains(&at));
                let product = product(&page.path);
                let imported = catalog.import_in(&product, &page.text).map_err(|e| format!("{name}: {e}"))?;
                for p in &imported.problems {
                    say(err, &format!("{name}: not mapped: {p}"))?;
                }
                for w in &imported.warnings {
                    say(err, &format!("{name}: example: {w}"))?;
                }
                let (problems, warnings) = (imported.problems.len(), imported.warnings.len());
                let action = format!("actions.{}: added", imported.action.name);
                let notes = catalog.merge_in(&product, imported);
                let outcome = if notes.iter().any(|n| n.starts_with(&action)) {
                    Outcome::Added
                } else if notes.is_empty() {
                    Outcome::Unchanged
                } else {
                    Outcome::Changed
                };
                (outcome, problems, warnings)
            }
        };
        products.entry(product(&page.path)).or_default().add(outcome, problems, warnings);
    }
    let merged = started.elapsed();
    let merged_spec = catalog.into_spec();
    for (product, shared) in shared_models(&merged_spec) {
        products.entry(product).or_default().shared_models = shared;
    }
    let mut total = Tally::default();
    products.values().for_each(|t| total.sum(t));
    say(out, &table(&products, &total))?;
    let differ =
        if opts.check_examples { check_examples(&read, &chosen, &merged_spec, out, err)? } else { Differ::default() };
    let after = spec::to_text(&merged_spec);
    // Validated even when printing, so a batch that would be refused says so now.
    let checked = check(&after);
    let (spent, n) = ((merged - indexed).as_secs_f64(), pages.len());
    say(
        err,
        &format!(
            "read {n} page(s) and merged them in {:.2} s: the pages read and chosen and the spec indexed in {:.2} s, \
             the chosen pages imported and merged in {spent:.2} s ({:.2} ms a page), the merged spec validated in {:.2} s",
            started.elapsed().as_secs_f64(),
            indexed.as_secs_f64(),
            1000.0 * spent / n.max(1) as f64,
            (started.elapsed() - merged).as_secs_f64(),
        ),
    )?;
    if !opts.write {
        checked.map_err(|e| e.replace("nothing written", "the batch would not be written"))?;
        return match differ.describe() {
            None => Ok(()),
            Some(what) => {
                Err(format!("{what} under the merged spec than under their own import ({})", differ.listed()))
            }
        };
    }
    let given: Vec<String> = opts.pages.iter().map(|p| p.display().to_string()).collect();
    if total.partial > 0 && !opts.allow_partial {
        return Err(format!(
            "nothing written: {} page(s) have API rows that could not be mapped (listed above as `not mapped:`); \
             fix them and run again, or write the rest with `cargo xtask import-doc {} --write --allow-partial`",
            total.partial,
            given.join(" ")
        ));
    }
    if total.unsettled > 0 && !opts.allow_partial {
        return Err(format!(
            "nothing written: {} page(s) document actions whose pages disagree and no rule chooses between \
             (listed above as `unsettled:`); remove the pages that are not current and run again, or write the rest \
             with `cargo xtask import-doc {} --write --allow-partial`",
            total.unsettled,
            given.join(" ")
        ));
    }
    checked?;
    if let Some(what) = differ.describe().filter(|_| !opts.allow_partial) {
        return Err(format!(
            "nothing written: {what} under the merged spec ({}); run again with --allow-partial to write anyway",
            differ.listed()
        ));
    }
    if after == before {
        return say(out, &format!("{spec_name} already matches the pages"));
    }
    fs::write(&spec_path, after).map_err(|e| format!("cannot write {}: {e}", spec_path.display()))?;
    let mut left_out = Vec::new();
    if total.partial > 0 {
        left_out.push(format!("the {} unmapped row(s)", total.rows_not_mapped));
    }
    if total.unsettled > 0 {
        left_out.push(format!("the {} unsettled page(s)", total.unsettled));
    }
    let partial =
        if left_out.is_empty() { String::new() } else { format!(" without {} listed above", left_out.join(" and ")) };
    say(out, &format!("wrote {spec_name}{partial}; now run `{}`", sync::FIX))
}

/// The page each action of a catalogue's folders is given (by the same rules as a batch), read
/// on its own: its product and import, in page order. For commands that compare the merged
/// spec with what each page says alone (`compare-go`).
pub fn chosen_alone(given: &[PathBuf]) -> Result<Vec<(String, Import)>, String> {
    let pages = expand(given)?;
    let nav = Navigation::read(given, &pages);
    let mut read = Vec::new();
    for path in &pages {
        let name = path.display().to_string();
        let text = fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        let alone = import::import(&text);
        read.push(Read { path: path.clone(), name, text, alone });
    }
    let mut outcomes = vec![None; read.len()];
    let chosen = choose_pages(&read, &nav, &mut outcomes, &mut BTreeMap::new(), &mut std::io::sink())?;
    Ok(read
        .into_iter()
        .enumerate()
        .filter(|(at, _)| chosen.contains(at))
        .filter_map(|(_, page)| Some((product(&page.path), page.alone.ok()?)))
        .collect())
}

/// Checks each chosen page's response example under the merged spec against its own import
/// (see `example_check`): each difference goes to `err`, a table of counts per product to
/// `out`; then the same for every row of each page (`check_rows`).
fn check_examples(
    read: &[Read],
    chosen: &BTreeSet<usize>,
    merged: &Spec,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Differ, String> {
    let flat = products::fold(merged);
    let merged = example_check::Merged::new(&flat);
    // Per product: pages checked, pages without an example, paths, pages that differ, then
    // the differences of each kind.
    let mut counts: BTreeMap<String, [usize; 4 + example_check::KINDS.len()]> = BTreeMap::new();
    for at in chosen {
        let page = &read[*at];
        let Ok(alone) = &page.alone else { continue };
        let row = counts.entry(product(&page.path)).or_default();
        let Some(checked) = example_check::check(alone, &merged) else {
            row[1] += 1;
            continue;
        };
        row[0] += 1;
        row[2] += checked.paths;
        row[3] += usize::from(!checked.differences.is_empty());
        for d in &checked.differences {
            say(err, &format!("{}: example differs: {}: {d}", page.name, alone.action.name))?;
            row[4 + example_check::KINDS.iter().position(|k| *k == d.kind).unwrap_or(0)] += 1;
        }
    }
    let mut columns = vec!["checked".to_owned(), "no example".to_owned(), "paths".to_owned(), "differ".to_owned()];
    columns.extend(example_check::KINDS.iter().map(|k| k.to_string()));
    let (text, total) = count_table("response examples", &columns, &counts);
    say(out, &text)?;
    let rows = check_rows(read, chosen, &flat, out, err)?;
    Ok(Differ { examples: total[3], rows })
}

/// Checks each chosen page's rows under the merged spec against its own import (see
/// `row_check`): each difference goes to `err` as `row differs:`, a table of counts per
/// product to `out`. Returns how many pages' rows differ.
fn check_rows(
    read: &[Read],
    chosen: &BTreeSet<usize>,
    flat: &Spec,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<usize, String> {
    let merged = row_check::Merged::new(flat);
    // Per product: pages checked, rows, pages that differ, then the differences of each kind.
    let mut counts: BTreeMap<String, [usize; 3 + row_check::KINDS.len()]> = BTreeMap::new();
    for at in chosen {
        let page = &read[*at];
        let Ok(alone) = &page.alone else { continue };
        let Some(checked) = row_check::check(alone, &merged) else { continue };
        let row = counts.entry(product(&page.path)).or_default();
        row[0] += 1;
        row[1] += checked.rows;
        row[2] += usize::from(!checked.differences.is_empty());
        for d in &checked.differences {
            say(err, &format!("{}: row differs: {}: {d}", page.name, alone.action.name))?;
            row[3 + row_check::KINDS.iter().position(|k| *k == d.kind).unwrap_or(0)] += 1;
        }
    }
    let mut columns = vec!["checked".to_owned(), "rows".to_owned(), "differ".to_owned()];
    columns.extend(row_check::KINDS.iter().map(|k| k.to_string()));
    let (text, total) = count_table("page rows", &columns, &counts);
    say(out, &text)?;
    Ok(total[2])
}

/// A table of counts per product with a total row, and the totals.
fn count_table<const N: usize>(
    title: &str,
    columns: &[String],
    counts: &BTreeMap<String, [usize; N]>,
) -> (String, [usize; N]) {
    let mut total = [0; N];
    for row in counts.values() {
        total.iter_mut().zip(row).for_each(|(t, n)| *t += n);
    }
    let first = counts.keys().map(|p| p.chars().count()).chain([title.len()]).max().unwrap_or(0);
    let mut text = format!("{title:<first$}");
    for c in columns {
        text.push_str(&format!("  {c}"));
    }
    for (name, row) in counts.iter().map(|(p, r)| (p.as_str(), r)).chain([("total", &total)]) {
        text.push_str(&format!("\n{name:<first$}"));
        for (c, n) in columns.iter().zip(row) {
            text.push_str(&format!("  {n:>width$}", width = c.len()));
        }
    }
    (text, total)
}

/// How many pages `--check-examples` found reading differently under the merged spec.
#[derive(Default)]
struct Differ {
    /// Pages whose response example does.
    examples: usize,
    /// Pages some row of which does.
    rows: usize,
}

impl Differ {
    /// `3 page(s)' response examples and 1 page(s)' rows read differently`, or `None`.
    fn describe(&self) -> Option<String> {
        let examples = format!("{} page(s)' response examples", self.examples);
        let rows = format!("{} page(s)' rows", self.rows);
        let what = match (self.examples, self.rows) {
            (0, 0) => return None,
            (_, 0) => examples,
            (0, _) => rows,
            _ => format!("{examples} and {rows}"),
        };
        Some(format!("{what} read differently"))
    }

    /// Where the differences were listed.
    fn listed(&self) -> String {
        let mut prefixes = Vec::new();
        if self.examples > 0 {
            prefixes.push("`example differs:`");
        }
        if self.rows > 0 {
            prefixes.push("`row differs:`");
        }
        format!("listed above as {}", prefixes.join(" and "))
    }
}

/// Picks one page per action by the rules of `import::choose`: the indices of the chosen
/// pages; the others' outcomes are set, each resolved conflict and each unsettled action said.
fn choose_pages(
    read: &[Read],
    nav: &Navigation,
    outcomes: &mut [Option<Outcome>],
    products: &mut BTreeMap<String, Tally>,
    err: &mut dyn Write,
) -> Result<BTreeSet<usize>, String> {
    // Actions in the order of their first page.
    let mut actions: Vec<(String, Vec<usize>)> = Vec::new();
    for (at, page) in read.iter().enumerate() {
        let Ok(i) = &page.alone else { continue };
        match actions.iter_mut().find(|(a, _)| *a == i.action.name) {
            Some((_, pages)) => pages.push(at),
            None => actions.push((i.action.name.clone(), vec![at])),
        }
    }
    let mut chosen = BTreeSet::new();
    for (action, pages) in actions {
        let candidates: Vec<Candidate> = pages.iter().map(|at| candidate(&read[*at], nav)).collect();
        match import::choose(&candidates) {
            Choice::One { chosen: c, dropped } => {
                let winner = pages[c];
                chosen.insert(winner);
                let tally = products.entry(product(&read[winner].path)).or_default();
                tally.actions += 1;
                tally.conflicts += Choice::One { chosen: c, dropped: dropped.clone() }.conflicts(&candidates);
                for (loser, rule) in dropped {
                    outcomes[pages[loser]] = Some(Outcome::Superseded);
                    let same = candidates[loser].content == candidates[c].content;
                    let why = match rule {
                        Some(rule) if same => format!("{}; it says the same", rule.why()),
                        Some(rule) => format!("{}; it differs", rule.why()),
                        None => "it says the same".to_owned(),
                    };
                    say(
                        err,
                        &format!(
                            "{}: resolved: {action}: {} is used, not this page: {why}",
                            read[pages[loser]].name, read[winner].name
                        ),
                    )?;
                }
            }
            Choice::Unsettled { left } => {
                let names: Vec<&str> = left.iter().map(|at| read[pages[*at]].name.as_str()).collect();
                for at in &pages {
                    outcomes[*at] = Some(Outcome::Unsettled);
                }
                say(
                    err,
                    &format!(
                        "{}: unsettled: {action}: its pages {} disagree and no rule says which is current; the action \
                         is left out",
                        names[0],
                        names.join(", ")
                    ),
                )?;
            }
        }
    }
    Ok(chosen)
}

/// What the rules look at for one page.
fn candidate(page: &Read, nav: &Navigation) -> Candidate {
    let facts = page.alone.as_ref().map(|i| i.page.clone()).unwrap_or_default();
    let stem = page.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Candidate {
        page: page.name.clone(),
        product: product(&page.path),
        json_body: stem.ends_with("_json") || facts.json_body,
        marked_old: facts.marked_old,
        legacy_layout: facts.legacy_layout,
        listed: nav.listed(&page.path),
        linked: nav.linked(&page.path),
        content: page.alone.as_ref().map(content).unwrap_or_default(),
    }
}

/// A key for what an import says: its fields, models and enums (names, types, required flags
/// and values), not descriptions or examples, which pages of one action word differently.
fn content(i: &Import) -> u64 {
    fn fields(h: &mut std::hash::DefaultHasher, list: &[spec::Field]) {
        for f in list {
            (&f.name, f.ty.to_string(), f.required).hash(h);
        }
    }
    let mut h = std::hash::DefaultHasher::new();
    fields(&mut h, &i.action.request);
    fields(&mut h, &i.action.response);
    for m in &i.models {
        m.name.hash(&mut h);
        fields(&mut h, &m.fields);
    }
    for e in &i.enums {
        e.name.hash(&mut h);
        e.values.iter().for_each(|v| v.value.hash(&mut h));
    }
    h.finish()
}

/// Per product, how many of the models its actions reach other products' actions reach too
/// (none, as each product's fields name its own types: this checks it on the written spec).
fn shared_models(spec: &Spec) -> BTreeMap<String, usize> {
    let own = spec.product.to_lowercase();
    let home: BTreeMap<&str, &str> =
        spec.products.iter().flat_map(|p| p.actions.iter().map(|a| (a.name.as_str(), p.name.as_str()))).collect();
    let flat = products::fold(spec);
    let models: BTreeMap<&str, &spec::Model> = flat.models.iter().map(|m| (m.name.as_str(), m)).collect();
    let mut users: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for a in &flat.actions {
        let product = home.get(a.name.as_str()).copied().unwrap_or(own.as_str());
        let mut todo: Vec<&spec::Field> = a.request.iter().chain(&a.response).collect();
        let mut seen = BTreeSet::new();
        while let Some(f) = todo.pop() {
            let Some(m) = f.ty.base().name().and_then(|n| models.get(n)) else { continue };
            if seen.insert(m.name.as_str()) {
                todo.extend(&m.fields);
                users.entry(m.name.as_str()).or_default().insert(product);
            }
        }
    }
    let mut shared = BTreeMap::new();
    for products in users.values().filter(|p| p.len() > 1) {
        for p in products {
            *shared.entry(p.to_string()).or_default() += 1;
        }
    }
    shared
}

/// The pages named: files as given, folders' `.md` and `.txt` files (recursively, in name
/// order; hidden entries skipped).
fn expand(given: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut pages = Vec::new();
    for path in given {
        if path.is_dir() {
            let before = pages.len();
            walk(path, &mut pages)?;
            if pages.len() == before {
                return Err(format!("{} holds no pages (.md or .txt files)", path.display()));
            }
        } else if path.exists() {
            pages.push(path.clone());
        } else {
            return Err(format!("cannot read {}: no such file or folder", path.display()));
        }
    }
    Ok(pages)
}

fn walk(dir: &Path, pages: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')))
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, pages)?;
        } else if path.extension().is_some_and(|e| e == "md" || e == "txt") {
            pages.push(path);
        }
    }
    Ok(())
}

/// The product a page belongs to: the name of the folder holding it, less `-api`.
fn product(page: &Path) -> String {
    let folder =
        page.parent().and_then(Path::file_name).map_or_else(|| ".".to_owned(), |n| n.to_string_lossy().into_owned());
    folder.strip_suffix("-api").map(str::to_owned).unwrap_or(folder)
}

/// The summary: one row per product, then the total.
fn table(products: &BTreeMap<String, Tally>, total: &Tally) -> String {
    let rows: Vec<(&str, [usize; 14])> =
        products.iter().map(|(f, t)| (f.as_str(), t.cells())).chain([("total", total.cells())]).collect();
    let first = rows.iter().map(|(f, _)| f.chars().count()).chain(["product".len()]).max().unwrap_or(0);
    let mut text = format!("{:<first$}", "product");
    for c in COLUMNS {
        text.push_str(&format!("  {c}"));
    }
    for (f, cells) in &rows {
        text.push_str(&format!("\n{f:<first$}"));
        for (c, n) in COLUMNS.iter().zip(cells) {
            text.push_str(&format!("  {n:>width$}", width = c.len()));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import_doc::parse;
    use crate::scratch::Scratch;

    /// A page whose API maps whole but whose example has faults (a placeholder index, a key
    /// the table lacks).
    const NOISY_EXAMPLE: &str = "# 标记构建-MarkBuild

标记一次构建

# Request Parameters
|Parameter name|Type|Description|Required|
|---|---|---|---|
|BuildId|string|构建 ID|**Yes**|
|Tags.n|string|标签|No|

# Response Elements
|Parameter name|Type|Description|Required|
|---|---|---|---|
|RetCode|int|返回码|**Yes**|

# Request Example
```
https://api.ucloud.cn/?Action=MarkBuild
&BuildId=b-1
&Tags.N=x
&Colour=red
```

# Response Example
```
{ \"RetCode\": 0 }
```
";

    /// A page with an API row that cannot be mapped (a request's `object` nothing describes: a
    /// form cannot send free-form JSON).
    const LOST_ROW: &str = "# 读取构建 - ReadBuild

## Request Parameters

| Parameter Name | Type | Description Information | Required |
|:---|:---|:---|:---|
| **BuildId** | string | Which build | **Yes** |
| **Extra** | object | Anything | No |

## Response Field

| Field Name | Type | Description Information | Required |
|:---|:---|:---|:---|
| **RetCode** | int | Status | **Yes** |
";

    fn run_in(tree: &Scratch, args: &[&str]) -> (Result<(), String>, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let result = parse(args).and_then(|opts| run(&tree.0, &opts, &mut out, &mut err));
        (result, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
    }

    /// A folder of pages under the scratch root: `name` → text.
    fn folder(tree: &Scratch, dir: &str, pages: &[(&str, &str)]) -> String {
        std::fs::create_dir_all(tree.0.join(dir)).unwrap();
        for (name, text) in pages {
            tree.file(&format!("{dir}/{name}"), text);
        }
        tree.0.join(dir).display().to_string()
    }

    /// The actions of the spec's own product and of its products' sections.
    fn actions(spec: &str) -> Vec<String> {
        products::fold(&spec::parse(spec).unwrap()).actions.into_iter().map(|a| a.name).collect()
    }

    #[test]
    fn an_example_problem_never_blocks_write() {
        let tree = Scratch::with_spec();
        let dir = folder(&tree, "build-api", &[("mark_build.md", NOISY_EXAMPLE), ("README.md", "# 构建 API 简介\n")]);
        let (result, out, err) = run_in(&tree, &[&dir, "--write"]);
        result.unwrap();
        let page = format!("{dir}/mark_build.md");
        assert!(
            err.contains(&format!(
                "{page}: example: request example: Tags.N=x: \"N\" is not an item number; skipped\n"
            )),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "{page}: example: request example: Colour is not a request parameter of the page; skipped\n"
            )),
            "{err}"
        );
        assert!(!err.contains("not mapped"), "{err}");
        assert!(out.ends_with("wrote spec/uhub.json; now run `cargo xtask codegen`\n"), "{out}");
        assert!(actions(&tree.spec()).contains(&"MarkBuild".to_owned()));
    }

    #[test]
    fn a_lost_row_always_blocks_write_and_is_listed_even_when_allowed() {
        let tree = Scratch::with_spec();
        let dir = folder(&tree, "build-api", &[("mark_build.md", NOISY_EXAMPLE), ("read_build.md", LOST_ROW)]);
        let before = tree.spec();
        let lost = format!(
            "{dir}/read_build.md: not mapped: line 8: request.Extra: type `object` is a JSON object whose fields \
             neither a table of the page nor its description lists, and a request cannot send free-form JSON; \
             skipped\n"
        );
        let (result, _, err) = run_in(&tree, &[&dir, "--write"]);
        let message = result.unwrap_err();
        assert!(message.starts_with("nothing written: 1 page(s) have API rows that could not be mapped"), "{message}");
        assert!(message.ends_with(&format!("`cargo xtask import-doc {dir} --write --allow-partial`")), "{message}");
        assert!(err.contains(&lost), "{err}");
        assert_eq!(tree.spec(), before, "nothing of the batch is written, not even the whole page");
        let (result, out, err) = run_in(&tree, &[&dir, "--write", "--allow-partial"]);
        result.unwrap();
        assert!(err.contains(&lost), "{err}");
        assert!(
            out.ends_with(
                "wrote spec/uhub.json without the 1 unmapped row(s) listed above; now run `cargo xtask codegen`\n"
            ),
            "{out}"
        );
        let names = actions(&tree.spec());
        assert!(names.contains(&"MarkBuild".to_owned()) && names.contains(&"ReadBuild".to_owned()), "{names:?}");
    }

    #[test]
    fn a_batch_prints_a_summary_per_product_and_refuses_pages_of_other_kinds_without_stopping() {
        let tree = Scratch::with_spec();
        let build = folder(&tree, "build-api", &[("mark_build.md", NOISY_EXAMPLE), ("read_build.md", LOST_ROW)]);
        let http = "# 上传 - PutThing\n\n```\nPUT /<thing> HTTP/1.1\nHost: <bucket>.example\n```\n\n\
                    |Parameter name|Type|Description|Required|\n|---|---|---|---|\n|Authorization|string|签名|**Yes**|\n";
        let store = folder(&tree, "store-api", &[("put_thing.md", http), ("index.md", "# 索引\n")]);
        // The UHub page already in the spec: imported again, it changes nothing.
        let zh_get_image_tag = crate::root().join("codegen/tests/pages/zh_get_image_tag.md");
        let uhub =
            folder(&tree, "uhub-api", &[("get_image_tag.md", &std::fs::read_to_string(zh_get_image_tag).unwrap())]);
        let before = tree.spec();
        let (result, out, err) = run_in(&tree, &[&build, &store, &format!("{uhub}/get_image_tag.md")]);
        result.unwrap();
        assert_eq!(
            out,
            "\
product  pages  actions  added  changed  unchanged  superseded  conflicts resolved  unsettled  partial  not API  other kind  rows not mapped  example warnings  shared models
build        2        2      2        0          0           0                   0          0        1        0           0                1                 2              0
store        2        0      0        0          0           0                   0          0        0        1           1                0                 0              0
uhub         1        1      0        0          1           0                   0          0        0        0           0                0                 0              0
total        5        3      2        0          1           0                   0          0        1        1           1                1                 2              0
"
        );
        assert!(
            err.contains(&format!("{store}/put_thing.md: refused: a page of another kind: PutThing is an HTTP call")),
            "{err}"
        );
        assert!(err.contains(&format!("{store}/index.md: refused: not an API page")), "{err}");
        assert!(err.contains("read 5 page(s) and merged them in "), "{err}");
        assert_eq!(tree.spec(), before, "print mode writes nothing");
    }

    /// `ReadBuild` in today's layout, its `Detail` typed `field_type`; `title` and the type
    /// make the variants the rules choose between.
    fn read_build(title: &str, field_type: &str) -> String {
        format!(
            "# {title} - ReadBuild\n\n## Request Parameters\n\n\
             | Parameter Name | Type | Description Information | Required |\n|:---|:---|:---|:---|\n\
             | **BuildId** | string | Which build | **Yes** |\n\n## Response Field\n\n\
             | Field Name | Type | Description Information | Required |\n|:---|:---|:---|:---|\n\
             | **RetCode** | int | Status | **Yes** |\n| **Detail** | {field_type} | What it did | No |\n"
        )
    }

    fn detail_type(spec: &str) -> String {
        let spec = products::fold(&spec::parse(spec).unwrap());
        let action = spec.actions.iter().find(|a| a.name == "ReadBuild").unwrap();
        action.response.iter().find(|f| f.name == "Detail").unwrap().ty.to_string()
    }

    #[test]
    fn the_current_page_of_an_action_is_chosen_by_rule_whatever_the_file_order_and_each_conflict_is_listed() {
        let tree = Scratch::with_spec();
        // File order puts the old page last: the batch used to take it.
        let dir = folder(
            &tree,
            "build-api",
            &[
                ("a_read_build.md", &read_build("读取构建", "string")),
                ("b_read_build.md", &read_build("读取构建(旧)", "int")),
            ],
        );
        let (result, out, err) = run_in(&tree, &[&dir, "--write"]);
        result.unwrap();
        assert!(
            err.contains(&format!(
                "{dir}/b_read_build.md: resolved: ReadBuild: {dir}/a_read_build.md is used, not this page: its title \
                 marks it old; it differs\n"
            )),
            "{err}"
        );
        assert_eq!(detail_type(&tree.spec()), "string");
        let row = out.lines().find(|l| l.starts_with("build ")).unwrap();
        let cells: Vec<&str> = row.split_whitespace().collect();
        // pages, actions, added, changed, unchanged, superseded, conflicts resolved, unsettled
        assert_eq!(cells[1..9], ["2", "1", "1", "0", "0", "1", "1", "0"], "{out}");
    }

    #[test]
    fn a_json_body_page_never_defines_an_actions_fields() {
        let tree = Scratch::with_spec();
        let dir = folder(
            &tree,
            "build-api",
            &[
                ("read_build.md", &read_build("读取构建", "string")),
                ("read_build_json.md", &read_build("读取构建", "int")),
            ],
        );
        let (result, _, err) = run_in(&tree, &[&dir, "--write"]);
        result.unwrap();
        assert!(
            err.contains(&format!("{dir}/read_build_json.md: resolved: ReadBuild: {dir}/read_build.md is used")),
            "{err}"
        );
        assert_eq!(detail_type(&tree.spec()), "string");
    }

    #[test]
    fn pages_no_rule_tells_apart_are_refused_by_the_actions_name_and_never_settled_by_file_order() {
        let tree = Scratch::with_spec();
        let one = folder(&tree, "build-api", &[("read_build.md", &read_build("读取构建", "string"))]);
        let two = folder(&tree, "ci-api", &[("read_build.md", &read_build("读取构建", "int"))]);
        let before = tree.spec();
        let (result, _, err) = run_in(&tree, &[&one, &two, "--write"]);
        let message = result.unwrap_err();
        assert!(message.starts_with("nothing written: 2 page(s) document actions whose pages disagree"), "{message}");
        assert!(
            err.contains(&format!(
                "{one}/read_build.md: unsettled: ReadBuild: its pages {one}/read_build.md, {two}/read_build.md disagree \
                 and no rule says which is current; the action is left out\n"
            )),
            "{err}"
        );
        assert_eq!(tree.spec(), before);
        let (result, out, _) = run_in(&tree, &[&one, &two, "--write", "--allow-partial"]);
        result.unwrap();
        // Nothing else in the batch: the spec is left as it was, without the action.
        assert!(out.ends_with("spec/uhub.json already matches the pages\n"), "{out}");
        assert!(!actions(&tree.spec()).contains(&"ReadBuild".to_owned()));
    }

    /// A page of `action` whose response lists `NodeInfo`s, its `State` typed `state`.
    fn node_page(action: &str, state: &str) -> String {
        format!(
            "# 查询节点 - {action}\n\n## 请求参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
             | **Zone** | string | 可用区 |**Yes**|\n\n## 响应字段\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n\
             |:---|:---|:---|:---|\n| **NodeInfo** | array[[*NodeInfo*](#NodeInfo)] | 节点 |No|\n\n#### 数据模型\n\n\
             #### NodeInfo\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
             | **State** | {state} | 状态 |No|\n| **NodeId** | string | 节点 |No|\n"
        )
    }

    #[test]
    fn each_product_keeps_its_own_models_and_no_model_is_used_across_products() {
        let tree = Scratch::with_spec();
        let uec = folder(&tree, "uec-api", &[("get_uec_node.md", &node_page("GetUEcNode", "int"))]);
        let mongo =
            folder(&tree, "umongodb-api", &[("describe_node.md", &node_page("DescribeUMongoDBNode", "string"))]);
        let (result, out, _) = run_in(&tree, &[&uec, &mongo, "--write"]);
        result.unwrap();
        let written = spec::parse(&tree.spec()).unwrap();
        let sections: Vec<(&str, Vec<&str>, Vec<String>)> = written
            .products
            .iter()
            .map(|p| {
                let models = p.models.iter().map(|m| m.name.as_str()).collect();
                let state = p.models[0].fields.iter().map(|f| format!("{} {}", f.name, f.ty)).collect();
                (p.name.as_str(), models, state)
            })
            .collect();
        assert_eq!(
            sections,
            [
                ("uec", vec!["NodeInfo"], vec!["State int".to_owned(), "NodeId string".to_owned()]),
                ("umongodb", vec!["NodeInfo"], vec!["State string".to_owned(), "NodeId string".to_owned()]),
            ]
        );
        assert!(written.models.iter().all(|m| m.name != "NodeInfo"), "the spec's own product is left alone");
        let total = out.lines().find(|l| l.starts_with("total")).unwrap();
        assert!(total.ends_with(" 0"), "no shared models: {out}");
        // The written spec generates: two NodeInfo types, each action its own.
        uhub_codegen::generate(&tree.spec()).unwrap();
    }

    /// `node_page` with a response example whose node's `State` is `state` (JSON).
    fn node_page_with_example(action: &str, ty: &str, state: &str) -> String {
        node_page(action, ty)
            + &format!(
                "\n## 响应示例\n\n```json\n{{\"RetCode\": 0, \"Action\": \"{action}Response\", \
                 \"NodeInfo\": [{{\"State\": {state}, \"NodeId\": \"n-1\"}}]}}\n```\n"
            )
    }

    #[test]
    fn check_examples_names_each_path_a_pages_example_no_longer_decodes_after_the_merge() {
        let tree = Scratch::with_spec();
        // Two actions of one product share `NodeInfo`; the first page says its State is an int,
        // so the merged model keeps int and the second page's "Running" fails to decode.
        let dir = folder(
            &tree,
            "uec-api",
            &[
                ("a_get_node.md", &node_page_with_example("GetUEcNode", "int", "1")),
                ("b_list_node.md", &node_page_with_example("ListUEcNode", "string", "\"Running\"")),
            ],
        );
        let before = tree.spec();
        let (result, out, err) = run_in(&tree, &[&dir, "--check-examples"]);
        let message = result.unwrap_err();
        assert_eq!(
            message,
            "1 page(s)' response examples and 1 page(s)' rows read differently under the merged spec than under \
             their own import (listed above as `example differs:` and `row differs:`)"
        );
        // The same page's row says it too, example or not.
        assert!(
            err.contains(&format!(
                "{dir}/b_list_node.md: row differs: ListUEcNode: retyped: response: NodeInfo[].State: page string, \
                 merged int\n"
            )),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "{dir}/b_list_node.md: example differs: ListUEcNode: refused: NodeInfo[].State: alone reads string, \
                 merged fails (a text that is no integer as int)\n"
            )),
            "{err}"
        );
        assert!(!err.contains("a_get_node.md: example differs"), "{err}");
        let table: Vec<&str> = out.lines().skip_while(|l| !l.starts_with("response examples")).collect();
        assert_eq!(
            table,
            [
                "response examples  checked  no example  paths  differ  refused  accepted  dropped  gained  retyped",
                "uec                      2           0      8       1        1         0        0       0        0",
                "total                    2           0      8       1        1         0        0       0        0",
                "page rows  checked  rows  differ  missing  retyped  required",
                "uec              2     8       1        0        1         0",
                "total            2     8       1        0        1         0",
            ],
            "{out}"
        );
        // With --write the check refuses to write, as it does a partial page.
        let (result, _, _) = run_in(&tree, &[&dir, "--check-examples", "--write"]);
        assert!(result.unwrap_err().starts_with("nothing written: 1 page(s)' response examples and 1 page(s)' rows"));
        assert_eq!(tree.spec(), before);
    }

    #[test]
    fn check_examples_passes_when_every_example_reads_as_on_its_own_page() {
        let tree = Scratch::with_spec();
        let uec = folder(&tree, "uec-api", &[("get_node.md", &node_page_with_example("GetUEcNode", "int", "1"))]);
        let mongo = folder(
            &tree,
            "umongodb-api",
            &[("describe_node.md", &node_page_with_example("DescribeUMongoDBNode", "string", "\"Running\""))],
        );
        // One page alone is a batch of one when checked.
        let (result, out, err) = run_in(&tree, &[&uec, &mongo, "--check-examples"]);
        result.unwrap();
        assert!(!err.contains("example differs"), "{err}");
        assert!(out.contains("\ntotal                    2           0      8       0        0"), "{out}");
        let page = format!("{uec}/get_node.md");
        let (result, out, _) = run_in(&tree, &[&page, "--check-examples"]);
        result.unwrap();
        assert!(out.contains("response examples"), "{out}");
    }

    /// A page of `action` whose response lists `Net`s, a table with `fields` (all strings),
    /// and an example giving each field the value `v`.
    fn net_page(action: &str, fields: &[&str]) -> String {
        let rows: String = fields.iter().map(|f| format!("| **{f}** | string | it |No|\n")).collect();
        let values: Vec<String> = fields.iter().map(|f| format!("\"{f}\": \"v\"")).collect();
        format!(
            "# 网络 - {action}\n\n## 请求参数\n\n| 参数名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n\
             | **Zone** | string | 可用区 |**Yes**|\n\n## 响应字段\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n\
             |:---|:---|:---|:---|\n| **Nets** | array[[*Net*](#Net)] | 网络 |No|\n\n#### 数据模型\n\n\
             #### Net\n\n| 字段名 | 类型 | 描述信息 | 必填 |\n|:---|:---|:---|:---|\n{rows}\n## 响应示例\n\n\
             ```json\n{{\"RetCode\": 0, \"Nets\": [{{{}}}]}}\n```\n",
            values.join(", ")
        )
    }

    #[test]
    fn two_tables_of_one_product_named_alike_but_describing_two_things_stay_two_models() {
        let tree = Scratch::with_spec();
        let dir = folder(
            &tree,
            "net-api",
            &[
                ("a_describe_net.md", &net_page("DescribeNet", &["NetID", "Name"])),
                // The same name, the id in another case: merged, this page's NetId was lost.
                ("b_list_net.md", &net_page("ListNet", &["NetId", "Name", "Tag"])),
                // The same name and no field in common.
                ("c_get_net.md", &net_page("GetNet", &["Cidr"])),
                // The same fields as the first: one model with it.
                ("d_show_net.md", &net_page("ShowNet", &["NetID", "Name"])),
            ],
        );
        let (result, _, err) = run_in(&tree, &[&dir, "--write", "--check-examples"]);
        result.unwrap();
        assert!(!err.contains("example differs"), "{err}");
        let written = spec::parse(&tree.spec()).unwrap();
        let net = written.products.iter().find(|p| p.name == "net").unwrap();
        let models: Vec<(String, Vec<&str>)> =
            net.models.iter().map(|m| (m.name.clone(), m.fields.iter().map(|f| f.name.as_str()).collect())).collect();
        assert_eq!(
            models,
            [
                ("Net".to_owned(), vec!["NetID", "Name"]),
                ("Net2".to_owned(), vec!["NetId", "Name", "Tag"]),
                ("Net3".to_owned(), vec!["Cidr"]),
            ]
        );
        let uses: Vec<(&str, String)> =
            net.actions.iter().map(|a| (a.name.as_str(), a.response[0].ty.to_string())).collect();
        assert_eq!(
            uses,
            [
                ("DescribeNet", "array[Net]".to_owned()),
                ("ListNet", "array[Net2]".to_owned()),
                ("GetNet", "array[Net3]".to_owned()),
                ("ShowNet", "array[Net]".to_owned()),
            ]
        );
        // Imported again, each page finds its model: nothing changes.
        let (result, out, _) = run_in(&tree, &[&dir, "--write"]);
        result.unwrap();
        assert!(out.ends_with("spec/uhub.json already matches the pages\n"), "{out}");
    }

    #[test]
    fn an_action_the_spec_has_stays_in_its_product_whatever_the_folder_of_its_page() {
        let tree = Scratch::with_spec();
        let zh_get_image_tag = crate::root().join("codegen/tests/pages/zh_get_image_tag.md");
        let dir = folder(&tree, "pages", &[("get_image_tag.md", &std::fs::read_to_string(zh_get_image_tag).unwrap())]);
        let before = tree.spec();
        let (result, out, _) = run_in(&tree, &[&dir, "--write"]);
        result.unwrap();
        assert!(out.ends_with("spec/uhub.json already matches the pages\n"), "{out}");
        assert_eq!(tree.spec(), before, "no section for the folder, no second GetImageTag");
    }

    #[test]
    fn a_folder_without_pages_or_a_missing_path_is_an_error() {
        let tree = Scratch::with_spec();
        std::fs::create_dir_all(tree.0.join("empty")).unwrap();
        let empty = tree.0.join("empty").display().to_string();
        assert_eq!(run_in(&tree, &[&empty]).0.unwrap_err(), format!("{empty} holds no pages (.md or .txt files)"));
        let missing = tree.0.join("nope.md").display().to_string();
        let (result, ..) = run_in(&tree, &[&missing, &empty]);
        assert_eq!(result.unwrap_err(), format!("cannot read {missing}: no such file or folder"));
    }
}
