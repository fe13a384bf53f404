//! `athar estimate` and `athar stats` as scripts run them: the JSON fields they rely on,
//! strata, figures that agree with their breakdowns, and clear refusals that name the line,
//! the column or the reason.

use std::process::Command;

fn athar(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_athar"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run athar: {e}"))
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    path.to_string_lossy().into_owned()
}

/// A three-list table generated from known capture probabilities (0.5, 0.4, 0.3) and N = 1000,
/// rounded: independence should recover about 1000.
const THREE_LISTS: &str = "A,B,C,count\n\
1,0,0,210\n0,1,0,140\n0,0,1,90\n1,1,0,140\n1,0,1,90\n0,1,1,60\n1,1,1,60\n";

#[test]
fn json_output_has_the_fields_scripts_rely_on() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let table = write(tmp.path(), "three.csv", THREE_LISTS);
    let out = athar(&[
        "estimate",
        "--table",
        &table,
        "--method",
        "independence",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    for field in [
        "estimate", "interval", "method", "terms", "deviance", "df", "warnings",
    ] {
        assert!(result.get(field).is_some(), "no {field} in {result}");
    }
    assert_eq!(result["method"], "independence");
    assert_eq!(result["df"], 3);
    let estimate = result["estimate"].as_f64().unwrap_or_default();
    assert!((estimate - 1000.0).abs() < 15.0, "{estimate}");
    let low = result["interval"][0].as_f64().unwrap_or_default();
    let high = result["interval"][1].as_f64().unwrap_or_default();
    assert!(low < estimate && estimate < high, "{low} {estimate} {high}");

    let out = athar(&[
        "estimate",
        "--table",
        &table,
        "--method",
        "loglinear",
        "--terms",
        "A:B",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(result["terms"], serde_json::json!(["A:B"]));
    assert_eq!(result["df"], 2);

    let out = athar(&[
        "estimate", "--table", &table, "--method", "chapman", "--lists", "B,C", "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    // B = 400, C = 300, both = 120: (401 × 301 / 121) − 1.
    let expected = 401.0 * 301.0 / 121.0 - 1.0;
    assert!((result["estimate"].as_f64().unwrap_or_default() - expected).abs() < 1e-9);
    assert_eq!(result["lists"], serde_json::json!(["B", "C"]));

    let lcmcr = [
        "estimate",
        "--table",
        &table,
        "--method",
        "lcmcr",
        "--seed",
        "3",
        "--burnin",
        "200",
        "--samples",
        "100",
        "--thin",
        "5",
        "--json",
    ];
    let out = athar(&lcmcr);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let again = athar(&lcmcr);
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap_or_default();
    assert_eq!(
        first["estimate"], again["estimate"],
        "the same seed, the same chain"
    );
    assert_eq!(first["details"]["settings"]["seed"], 3);
}

#[test]
fn strata_are_estimated_one_by_one() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut text = String::from("region,A,B,C,count\n");
    for line in THREE_LISTS.lines().skip(1) {
        text.push_str(&format!("north,{line}\n"));
    }
    for line in THREE_LISTS.lines().skip(1) {
        let (pattern, count) = line.rsplit_once(',').unwrap_or_default();
        let half: u64 = count.parse::<u64>().unwrap_or_default() / 2;
        text.push_str(&format!("south,{pattern},{half}\n"));
    }
    let table = write(tmp.path(), "strata.csv", &text);
    let out = athar(&[
        "estimate",
        "--table",
        &table,
        "--method",
        "independence",
        "--stratum",
        "region",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let strata = result["strata"].as_array().cloned().unwrap_or_default();
    assert_eq!(strata.len(), 2);
    assert_eq!(strata[0]["stratum"], "north");
    let north = strata[0]["estimate"].as_f64().unwrap_or_default();
    let south = strata[1]["estimate"].as_f64().unwrap_or_default();
    assert!((north / south - 2.0).abs() < 0.05, "{north} {south}");
    let total = result["total"]["estimate"].as_f64().unwrap_or_default();
    assert!((total - north - south).abs() < 1e-6);
}

#[test]
fn refusals_name_the_problem() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let bad = write(tmp.path(), "bad.csv", "A,B,count\n1,0,5\n1,x,3\n");
    let out = athar(&["estimate", "--table", &bad]);
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("line 3") && message.contains("\"B\""),
        "{message}"
    );

    // With --json the refusal is JSON too, on standard output.
    let out = athar(&["estimate", "--table", &bad, "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let refusal: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        refusal["error"]
            .as_str()
            .is_some_and(|m| m.contains("line 3")),
        "{refusal}"
    );

    // Two lists with nobody in common: Lincoln–Petersen is infinite; Chapman's formula is
    // finite there, given with a warning.
    let apart = write(tmp.path(), "apart.csv", "A,B,count\n1,0,5\n0,1,3\n");
    let out = athar(&[
        "estimate",
        "--table",
        &apart,
        "--method",
        "lincoln-petersen",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody in common"));
    let out = athar(&[
        "estimate", "--table", &apart, "--method", "chapman", "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let chapman: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(chapman["estimate"].as_f64(), Some(6.0 * 4.0 - 1.0));
    assert!(chapman["warnings"].to_string().contains("nobody in common"));
    // The independence model of lists that share nobody: told to find lists that overlap,
    // not to drop interactions it does not have.
    let three_apart = write(
        tmp.path(),
        "three-apart.csv",
        "A,B,C,count\n1,0,0,5\n0,1,0,3\n0,0,1,4\n",
    );
    let out = athar(&[
        "estimate",
        "--table",
        &three_apart,
        "--method",
        "independence",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("too few people in common") && !message.contains("fewer interactions"),
        "{message}"
    );

    // A table a spreadsheet saved with semicolons reads as the same table.
    let semicolons = write(tmp.path(), "semicolons.csv", &THREE_LISTS.replace(',', ";"));
    let commas = write(tmp.path(), "commas.csv", THREE_LISTS);
    let estimate = |path: &str| -> serde_json::Value {
        let out = athar(&[
            "estimate",
            "--table",
            path,
            "--method",
            "independence",
            "--json",
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(
        estimate(&semicolons)["estimate"],
        estimate(&commas)["estimate"]
    );

    // Three lists, all pairs and the triple: more parameters than cells.
    let table = write(tmp.path(), "three.csv", THREE_LISTS);
    let out = athar(&[
        "estimate",
        "--table",
        &table,
        "--method",
        "loglinear",
        "--terms",
        "A:B,A:C,B:C,A:B:C",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not identifiable"));

    let out = athar(&[
        "estimate",
        "--table",
        &table,
        "--method",
        "loglinear",
        "--terms",
        "A:Z",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"Z\" is not one of the lists"));

    // A zero cell that drives a parameter to infinity: A:B with nobody on A and B but not C…
    let sparse = write(
        tmp.path(),
        "sparse.csv",
        "A,B,C,count\n1,0,0,30\n0,1,0,20\n0,0,1,25\n1,1,0,0\n1,0,1,6\n0,1,1,4\n1,1,1,3\n",
    );
    let out = athar(&[
        "estimate",
        "--table",
        &sparse,
        "--method",
        "loglinear",
        "--terms",
        "A:B,A:C,B:C",
    ]);
    // … is the saturated two-way model on a table with an empty cell: no finite estimate.
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no finite maximum likelihood estimate"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn stats_of_the_store_agree_with_their_breakdowns() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = tmp.path().join("store");
    let data = data.to_string_lossy().into_owned();
    let with_store = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_athar"))
            .arg("--data")
            .arg(&data)
            .args(args)
            .env("ATHAR_PASSPHRASE", "stats test passphrase 123")
            .output()
            .unwrap_or_else(|e| panic!("cannot run athar: {e}"))
    };
    assert!(with_store(&["init"]).status.success());
    assert!(
        with_store(&["demo", "--persons", "400", "--seed", "9"])
            .status
            .success()
    );
    let out = with_store(&["stats", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(summary["persons"], 400);
    let arrests = summary["arrests"].as_u64().unwrap_or_default();
    assert!(arrests > 0);
    let by_party: u64 = summary["arrests_by_party"]
        .as_array()
        .map(|a| a.iter().map(|p| p[1].as_u64().unwrap_or_default()).sum())
        .unwrap_or_default();
    assert_eq!(
        by_party, arrests,
        "every arrest has a party, known or unknown"
    );
    let then = summary["arrests_then_disappeared"]
        .as_u64()
        .unwrap_or_default();
    let share = summary["share_arrests_to_disappearance"]
        .as_f64()
        .unwrap_or_default();
    assert!((share - then as f64 / arrests as f64).abs() < 1e-12);

    let out = with_store(&["stats", "--by", "kind,sex,age", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let breakdown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let cells = breakdown["cells"].as_array().cloned().unwrap_or_default();
    let arrests_in_cells: u64 = cells
        .iter()
        .filter(|c| c["key"][0] == "arrest")
        .map(|c| c["victimisations"].as_u64().unwrap_or_default())
        .sum();
    assert_eq!(arrests_in_cells, arrests);
    // Women are adult women (docs/DEFINITIONS.md): girls are among the children.
    let women: u64 = cells
        .iter()
        .filter(|c| c["key"] == serde_json::json!(["arrest", "female", "adult"]))
        .map(|c| c["victimisations"].as_u64().unwrap_or_default())
        .sum();
    assert_eq!(women, summary["arrests_women"].as_u64().unwrap_or_default());

    // A period splits the arrests into counted and uncertain, never more than all of them.
    let out = with_store(&["stats", "--from", "2023", "--to", "2023", "--json"]);
    let year: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert!(year["arrests"].as_u64().unwrap_or(u64::MAX) <= arrests);

    let out = with_store(&["stats", "--by", "colour"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown dimension"));
    let out = with_store(&["stats", "--from", "2019-13"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from"));
}

/// Rcapture's closed-population models by name: each answers with its Rcapture row name, Mt
/// is the independence model, and a heterogeneity model on two lists is refused with why.
#[test]
fn closed_population_models_answer_by_name() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let table = write(tmp.path(), "three.csv", THREE_LISTS);
    let run = |method: &str| {
        let out = athar(&["estimate", "--table", &table, "--method", method, "--json"]);
        assert!(
            out.status.success(),
            "{method}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap_or_default()
    };
    let independence = run("independence");
    for (method, rcapture) in [
        ("m0", "M0"),
        ("mt", "Mt"),
        ("mh-chao", "Mh Chao (LB)"),
        ("mh-poisson", "Mh Poisson2"),
        ("mh-darroch", "Mh Darroch"),
        ("mh-gamma", "Mh Gamma3.5"),
        ("mth-chao", "Mth Chao (LB)"),
        ("mth-poisson", "Mth Poisson2"),
        ("mth-darroch", "Mth Darroch"),
        ("mth-gamma", "Mth Gamma3.5"),
    ] {
        let result = run(method);
        assert_eq!(result["method"], method);
        assert_eq!(result["details"]["rcapture_model"], rcapture);
        let estimate = result["estimate"].as_f64().unwrap_or_default();
        assert!(
            estimate >= 790.0,
            "{method}: {estimate} below the 790 documented"
        );
    }
    let mt = run("mt");
    let difference = mt["estimate"].as_f64().unwrap_or_default()
        - independence["estimate"].as_f64().unwrap_or_default();
    assert!(
        difference.abs() < 1e-6,
        "Mt and independence differ by {difference}"
    );

    let two = write(tmp.path(), "two.csv", "A,B,count\n1,0,50\n0,1,40\n1,1,20\n");
    let out = athar(&["estimate", "--table", &two, "--method", "mh-darroch"]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("at least three lists"), "{said}");
}

/// Latent-class chains that do not agree give no estimate: exit status 2, and with `--json`
/// the error with the chains' diagnostics.
#[test]
fn latent_class_chains_that_disagree_give_no_estimate() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let table = write(tmp.path(), "three.csv", THREE_LISTS);
    let short = [
        "estimate",
        "--table",
        &table,
        "--method",
        "lcmcr",
        "--burnin",
        "0",
        "--samples",
        "40",
        "--thin",
        "1",
        "--max-draws",
        "40",
    ];
    let out = athar(&short);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no estimate is printed");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("did not agree") && said.contains("R̂"),
        "{said}"
    );

    let out = athar(&[&short[..], &["--json"]].concat());
    assert_eq!(out.status.code(), Some(2));
    let refusal: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert!(refusal.get("estimate").is_none(), "{refusal}");
    let diagnostics = &refusal["diagnostics"];
    assert!(
        diagnostics["r_hat"].as_f64().is_some_and(|r| r > 1.05),
        "{refusal}"
    );
    assert_eq!(
        diagnostics["chain_medians"].as_array().map(Vec::len),
        Some(4)
    );
}

/// `--method dga` averages over the eight decomposable graphs of three lists, and `--delta`
/// is its prior's weight.
#[test]
fn model_averaging_over_decomposable_graphs() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let table = write(tmp.path(), "three.csv", THREE_LISTS);
    let out = athar(&["estimate", "--table", &table, "--method", "dga", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(result["method"], "dga");
    assert_eq!(result["details"]["graphs_averaged"], 8);
    assert_eq!(result["details"]["delta"], 0.125);
    let estimate = result["estimate"].as_f64().unwrap_or_default();
    // Generated from N = 1000 with independent lists.
    assert!((estimate - 1000.0).abs() < 30.0, "{estimate}");
    let out = athar(&[
        "estimate", "--table", &table, "--method", "dga", "--delta", "1", "--json",
    ]);
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(result["details"]["delta"], 1.0);
}
