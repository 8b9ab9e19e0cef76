//! `cargo xtask <command>`: the project's automation, kept in Rust so it runs wherever cargo does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use uhub_codegen::sync::{self, Mode};

mod catalogue_nav;
mod compare_go;
mod example_check;
mod fmt_spec;
mod import_batch;
mod import_doc;
mod product_crates;
mod row_check;
#[cfg(test)]
mod scratch;

const USAGE: &str = "usage: cargo xtask <command>

  codegen                       regenerate uhub-sdk/src/generated from spec/uhub.json
  codegen --check               write nothing; fail if the generated files are stale
  import-doc PAGE               print the spec entry for a UCloud API page (markdown or page text)
  import-doc PAGE --write       merge it into spec/uhub.json and print the diff; writes nothing
                                if any API row of the page could not be mapped (problems with
                                its examples are warnings and never stop it)
  import-doc PAGE --write --allow-partial
                                write what could be mapped anyway
  import-doc PAGE_OR_DIR... [--write [--allow-partial]]
                                a batch: many pages, or folders of them; prints a summary table
                                (per folder: pages, actions added or changed, partial pages,
                                refusals, rows not mapped, example warnings)
  import-doc PAGE ... --spec FILE
                                merge into FILE (a fixture spec, say) instead of spec/uhub.json
  import-doc PAGE_OR_DIR... --check-examples
                                a batch that also reads each chosen page's response example
                                under the merged spec and under the page's own import, and
                                lists every path where the two differ (refused, accepted,
                                dropped, gained, retyped); fails if any does
  compare-go SPEC GO_SDK_DIR [--pages DIR...] [--counts]
                                compares each action of SPEC with ucloud-sdk-go's structs
                                (services/<product>/{apis,models}.go) and lists every
                                missing or extra field, type and required flag that differs;
                                with --pages, each is `importer` (the page alone agrees with
                                Go), else by the page's own examples `drift` (they agree with
                                Go), `go-bug` (they agree with the page) or `drift, undecided`;
                                --counts prints only the table per product
  product-crates SPEC OUT [--sdk PATH]
                                writes each product of SPEC as a crate of its own (uhub-ulb,
                                ...) depending on uhub-sdk (at PATH, else this repository's),
                                in a workspace at OUT: how a catalogue is built in little
                                memory; deletes nothing
  fmt-spec                      rewrite spec/uhub.json in its canonical form
  fmt-spec --check              write nothing; fail if spec/uhub.json is not in canonical form
  synth-spec N                  print a synthetic spec of N actions with the shapes of UCloud's
                                catalogue (products of twenty actions: paginated lists, nested
                                models, enums, times, arrays),
                                to measure what generated code costs as a spec grows
  bench [MEASURE...]            build in release mode and print the SDK's benchmark table
                                (measures: call, decode, memory, codegen, listing, cli, mirror,
                                fleet, compile;
                                default all but compile, which builds the SDK ten times)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen(Mode::Write),
        ["codegen", "--check"] => codegen(Mode::Check),
        ["import-doc", args @ ..] => import_doc::parse(args).and_then(|opts| {
            let (out, err) = (&mut std::io::stdout(), &mut std::io::stderr());
            if opts.is_batch() {
                import_batch::run(&root(), &opts, out, err)
            } else {
                import_doc::run(&root(), &opts, out, err)
            }
        }),
        ["compare-go", args @ ..] => {
            compare_go::parse(args).and_then(|opts| compare_go::run(&opts, &mut std::io::stdout()))
        }
        ["product-crates", args @ ..] => {
            product_crates::parse(args).and_then(|opts| product_crates::run(&root(), &opts, &mut std::io::stdout()))
        }
        ["fmt-spec"] => fmt_spec::run(&root(), false, &mut std::io::stdout()),
        ["fmt-spec", "--check"] => fmt_spec::run(&root(), true, &mut std::io::stdout()),
        ["synth-spec", n] => synth_spec(n),
        ["bench", filter @ ..] => bench(filter),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives one level below it.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace").to_path_buf()
}

/// Prints a synthetic spec of `n` actions, on the real spec's providers and common parameters.
fn synth_spec(n: &str) -> Result<(), String> {
    let n: usize = n.parse().map_err(|_| format!("synth-spec takes a number of actions, not {n:?}"))?;
    let path = root().join(sync::SPEC);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let base = uhub_codegen::spec::parse(&text).map_err(|e| format!("{}: {e}", sync::SPEC))?;
    print!("{}", uhub_codegen::spec::to_text(&uhub_codegen::synth::spec(&base, n)));
    Ok(())
}

/// Runs the `uhub-bench` package in release mode; measures are only meaningful optimised.
fn bench(filter: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("building the benchmarks in release mode...");
    let status = std::process::Command::new(cargo)
        .current_dir(root())
        .args(["run", "--release", "--quiet", "--package", "uhub-bench", "--"])
        .args(filter)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("the benchmarks failed ({status})")) }
}

fn codegen(mode: Mode) -> Result<(), String> {
    let root = root();
    let report = sync::sync(&root, mode)?;
    let rel = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    match mode {
        Mode::Check if !report.is_clean() => Err(sync::stale_message(&report)),
        Mode::Check => {
            println!("generated code and the generator's golden files are up to date with their specs");
            Ok(())
        }
        Mode::Write => {
            for p in &report.changed {
                println!("wrote {}", rel(p));
            }
            for p in &report.extra {
                println!("removed {}", rel(p));
            }
            if report.is_clean() {
                println!("generated code and the generator's golden files were already up to date");
            }
            Ok(())
        }
    }
}
