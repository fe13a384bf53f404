//! Rcapture's closed-population models (M0, Mt, Mh and Mth with Chao, Poisson, Darroch and
//! Gamma heterogeneity) against Rcapture 1.4-4 itself: `closedp.t`'s abundance, standard
//! error, deviance, df, AIC and BIC to 1e-6 relative, and `closedpCI.t`'s multinomial
//! estimate and profile-likelihood bounds to 1e-6 relative (R finds them to 1e-4 people).
//! The figures were printed by `Rscript scripts/rcapture-closed.R TABLE`, which asks R's
//! `glm` to converge as far as Athar's does (docs/ESTIMATION.md).

use athar_stats::mse::{self, CaptureTable, ClosedModel, Method};

#[path = "common/tables.rs"]
mod tables;
use tables::{close, our_table, shared_table};

/// A model's name, then `closedp.t`'s abundance, stderr, deviance, df, AIC, BIC, then
/// `closedpCI.t`'s estimate, lower and upper bound (NaN: beyond 3 × the abundance).
type Expected = (&'static str, [f64; 6], [f64; 3]);

fn check(table: &CaptureTable, name: &str, expected: &[Expected]) {
    for (model, fit, interval) in expected {
        let what = format!("{name} {model}");
        let closed = ClosedModel::from_name(model).expect("a model name");
        let found = mse::estimate(table, &Method::Closed(closed), 0.95)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let details = &found.details;
        let poisson = details["poisson_estimate"]
            .as_f64()
            .expect("poisson estimate");
        close(poisson, fit[0], 1e-6, &format!("{what} abundance"));
        close(
            found.std_error.expect("a standard error"),
            fit[1],
            1e-6,
            &format!("{what} stderr"),
        );
        close(
            found.deviance.expect("a deviance"),
            fit[2],
            1e-6,
            &format!("{what} deviance"),
        );
        assert_eq!(found.df, Some(fit[3] as i64), "{what} df");
        close(
            found.aic.expect("an AIC"),
            fit[4],
            1e-6,
            &format!("{what} AIC"),
        );
        close(
            found.bic.expect("a BIC"),
            fit[5],
            1e-6,
            &format!("{what} BIC"),
        );
        close(
            found.estimate,
            interval[0],
            1e-6,
            &format!("{what} estimate"),
        );
        close(
            found.interval[0].expect("a lower bound"),
            interval[1],
            1e-6,
            &format!("{what} lower bound"),
        );
        match found.interval[1] {
            Some(high) => close(high, interval[2], 1e-6, &format!("{what} upper bound")),
            None => assert!(
                interval[2].is_nan(),
                "{what}: no upper bound, R found {}",
                interval[2]
            ),
        }
        if interval[2].is_nan() {
            assert!(
                found.warnings.iter().any(|w| w.contains("upper bound")),
                "{what}: {:?}",
                found.warnings
            );
        }
        assert_eq!(details["rcapture_model"], closed.rcapture_name(), "{what}");
    }
}

#[test]
fn kosovo_closed_models_match_rcapture() {
    let Some(table) = shared_table("kosovo.csv") else {
        return;
    };
    check(
        &table,
        "kosovo",
        &[
            (
                "m0",
                [
                    7608.3676438664,
                    136.6175132263,
                    1104.0019655667,
                    13.0,
                    1209.4259702842,
                    1222.2046899241,
                ],
                [7606.685499, 7348.243349, 7884.120174],
            ),
            (
                "mt",
                [
                    7394.5866630774,
                    129.6259739660,
                    245.9387364261,
                    10.0,
                    357.3627411436,
                    389.3095402431,
                ],
                [7392.917123, 7147.748892, 7656.195348],
            ),
            (
                "mh-chao",
                [
                    8787.2428304564,
                    222.6204958729,
                    986.9218306035,
                    12.0,
                    1094.3458353210,
                    1113.5139147807,
                ],
                [8784.414184, 8367.855580, 9241.553304],
            ),
            (
                "mh-poisson",
                [
                    9402.9524943932,
                    310.8534189251,
                    1019.5174327777,
                    12.0,
                    1126.9414374952,
                    1146.1095169549,
                ],
                [9398.433088, 8821.926702, 10042.411928],
            ),
            (
                "mh-darroch",
                [
                    12448.3854111630,
                    777.9672892650,
                    1001.9251668432,
                    12.0,
                    1109.3491715608,
                    1128.5172510205,
                ],
                [12435.089884, 11040.079081, 14102.692613],
            ),
            (
                "mh-gamma",
                [
                    17102.6386573635,
                    1707.2717697246,
                    996.5301628306,
                    12.0,
                    1103.9541675481,
                    1123.1222470079,
                ],
                [17073.101102, 14121.477416, 20875.147260],
            ),
            (
                "mth-chao",
                [
                    8591.1836376246,
                    213.5490491133,
                    105.4967945009,
                    9.0,
                    218.9207992185,
                    257.2569581379,
                ],
                [8588.397043, 8188.718688, 9026.917773],
            ),
            (
                "mth-poisson",
                [
                    9327.7613313436,
                    306.2675566912,
                    139.1876177837,
                    9.0,
                    252.6116225012,
                    290.9477814206,
                ],
                [9323.270870, 8755.271463, 9957.744710],
            ),
            (
                "mth-darroch",
                [
                    12797.3434413933,
                    814.8358404263,
                    119.4484308670,
                    9.0,
                    232.8724355845,
                    271.2085945039,
                ],
                [12783.745766, 11323.185737, 14531.163433],
            ),
            (
                "mth-gamma",
                [
                    18387.1457543384,
                    1892.8787606985,
                    113.7836722582,
                    9.0,
                    227.2076769757,
                    265.5438358951,
                ],
                [18356.472171, 15086.908606, 22576.771901],
            ),
        ],
    );
}

#[test]
fn hiv_rome_closed_models_match_rcapture() {
    let Some(table) = shared_table("hiv_rome.csv") else {
        return;
    };
    check(
        &table,
        "hiv_rome",
        &[
            (
                "m0",
                [
                    11576.7001464140,
                    946.0681193218,
                    297.8191675361,
                    13.0,
                    368.8550260299,
                    379.9500293955,
                ],
                [11569.128886, 9911.357981, 13657.444401],
            ),
            (
                "mt",
                [
                    11124.5784692241,
                    904.7530470258,
                    13.0261369483,
                    10.0,
                    90.0619954421,
                    117.7995038562,
                ],
                [11117.019851, 9531.735518, 13114.122642],
            ),
            (
                "mh-chao",
                [
                    12145.1478381302,
                    1076.2483508014,
                    295.3633639688,
                    12.0,
                    368.3992224626,
                    385.0417275110,
                ],
                [12136.325530, 10263.200452, 14530.123548],
            ),
            (
                "mh-poisson",
                [
                    15070.9662265497,
                    2972.1663865636,
                    295.9392344802,
                    12.0,
                    368.9750929739,
                    385.6175980224,
                ],
                [15028.645749, 9896.909509, 21614.991587],
            ),
            (
                "mh-darroch",
                [
                    20984.6302137712,
                    8266.4948248254,
                    295.6200447989,
                    12.0,
                    368.6559032927,
                    385.2984083411,
                ],
                [20821.865273, 9217.027520, 43197.100190],
            ),
            (
                "mh-gamma",
                [
                    29202.3128574596,
                    17511.6213595966,
                    295.5367480083,
                    12.0,
                    368.5726065020,
                    385.2151115505,
                ],
                [28834.452296, 8435.643887, f64::NAN],
            ),
            (
                "mth-chao",
                [
                    11700.9882958613,
                    1030.9155518375,
                    10.1574947092,
                    9.0,
                    89.1933532030,
                    122.4783632999,
                ],
                [11692.204719, 9898.065883, 13985.149064],
            ),
            (
                "mth-poisson",
                [
                    14849.7629006294,
                    2915.1272694767,
                    10.7785858415,
                    9.0,
                    89.8144443353,
                    123.0994544322,
                ],
                [14807.737177, 9769.757445, 21265.656479],
            ),
            (
                "mth-darroch",
                [
                    21327.4604666668,
                    8428.4336627805,
                    10.4260755372,
                    9.0,
                    89.4619340310,
                    122.7469441278,
                ],
                [21163.925038, 9342.604185, 44006.370818],
            ),
            (
                "mth-gamma",
                [
                    30623.1533704141,
                    18463.1456899943,
                    10.3369984279,
                    9.0,
                    89.3728569217,
                    122.6578670186,
                ],
                [30252.633361, 8772.169715, f64::NAN],
            ),
        ],
    );
}

#[test]
fn spina_bifida_closed_models_match_rcapture() {
    let Some(table) = shared_table("spina_bifida.csv") else {
        return;
    };
    check(
        &table,
        "spina_bifida",
        &[
            (
                "m0",
                [
                    860.2507387913,
                    28.7067397306,
                    407.6233096766,
                    5.0,
                    451.5945119297,
                    460.4732126719,
                ],
                [858.969457, 807.463402, 920.293635],
            ),
            (
                "mt",
                [
                    763.8879318613,
                    20.6176117116,
                    58.3476188294,
                    3.0,
                    106.3188210826,
                    124.0762225670,
                ],
                [762.622562, 726.062791, 807.029835],
            ),
            (
                "mh-chao",
                [
                    860.2507387913,
                    28.7067397306,
                    407.6233096766,
                    5.0,
                    451.5945119297,
                    460.4732126719,
                ],
                [858.969457, 807.463402, 920.293635],
            ),
            (
                "mh-poisson",
                [
                    697.8481481132,
                    18.7097367906,
                    370.6646256918,
                    4.0,
                    416.6358279449,
                    429.9538790582,
                ],
                [695.663713, 665.742581, 739.515235],
            ),
            (
                "mh-darroch",
                [
                    657.5262359848,
                    13.1965662882,
                    370.6646256918,
                    4.0,
                    416.6358279449,
                    429.9538790582,
                ],
                [654.914196, 636.768974, 688.894346],
            ),
            (
                "mh-gamma",
                [
                    639.6858391470,
                    8.2018847488,
                    370.6646256918,
                    4.0,
                    416.6358279449,
                    429.9538790582,
                ],
                [637.317202, 627.915581, 660.351310],
            ),
            (
                "mth-chao",
                [
                    763.8879318613,
                    20.6176117116,
                    58.3476188294,
                    3.0,
                    106.3188210826,
                    124.0762225670,
                ],
                [762.622562, 726.062791, 807.029836],
            ),
            (
                "mth-poisson",
                [
                    674.7091518569,
                    13.5542470764,
                    29.0050046927,
                    2.0,
                    78.9762069459,
                    101.1729588014,
                ],
                [672.958423, 651.386969, 704.747290],
            ),
            (
                "mth-darroch",
                [
                    649.1314787882,
                    10.0617868468,
                    29.0050046927,
                    2.0,
                    78.9762069459,
                    101.1729588014,
                ],
                [647.029359, 633.209412, 672.867707],
            ),
            (
                "mth-gamma",
                [
                    636.8789253452,
                    6.7064373136,
                    29.0050046927,
                    2.0,
                    78.9762069459,
                    101.1729588014,
                ],
                [634.864313, 627.152340, 653.618499],
            ),
        ],
    );
}

/// A table of our own where people differ in how likely they are to be listed, with empty
/// capture patterns (tests/data/README.md).
#[test]
fn a_heterogeneous_five_list_table_matches_rcapture() {
    let table = our_table("heterogeneous_five_lists.csv");
    check(
        &table,
        "five lists",
        &[
            (
                "m0",
                [
                    1966.5841431453,
                    84.4180126935,
                    279.4078577612,
                    29.0,
                    400.6285650959,
                    410.4540507369,
                ],
                [1964.689895, 1811.522321, 2143.567541],
            ),
            (
                "mt",
                [
                    1894.3412783985,
                    79.4207459936,
                    20.5164938693,
                    25.0,
                    149.7372012041,
                    179.2136581270,
                ],
                [1892.459350, 1748.421840, 2060.791899],
            ),
            (
                "mh-chao",
                [
                    2055.7117370892,
                    110.1703452982,
                    276.6484323134,
                    27.0,
                    401.8691396481,
                    421.5201109301,
                ],
                [2052.887180, 1856.689519, 2290.801942],
            ),
            (
                "mh-poisson",
                [
                    2117.2058218452,
                    142.0120993822,
                    277.2311081740,
                    28.0,
                    400.4518155087,
                    415.1900439702,
                ],
                [2112.894748, 1859.028689, 2417.417508],
            ),
            (
                "mh-darroch",
                [
                    2338.2367924601,
                    285.3823286343,
                    276.7688367651,
                    28.0,
                    399.9895440998,
                    414.7277725613,
                ],
                [2325.073805, 1860.422961, 2994.440647],
            ),
            (
                "mh-gamma",
                [
                    2569.3518324299,
                    473.3959527919,
                    276.7167219119,
                    28.0,
                    399.9374292466,
                    414.6756577081,
                ],
                [2541.216050, 1836.573732, 3757.718969],
            ),
            (
                "mth-chao",
                [
                    1993.9659933993,
                    104.2890919110,
                    16.3687968616,
                    23.0,
                    149.5895041964,
                    188.8914467603,
                ],
                [1991.193745, 1805.490093, 2216.398161],
            ),
            (
                "mth-poisson",
                [
                    2069.6317841575,
                    135.3129928268,
                    17.1431591223,
                    24.0,
                    148.3638664570,
                    182.7530662005,
                ],
                [2065.449051, 1823.399913, 2355.568645],
            ),
            (
                "mth-darroch",
                [
                    2337.5126032668,
                    285.4348373970,
                    16.5124086438,
                    24.0,
                    147.7331159786,
                    182.1223157220,
                ],
                [2324.333770, 1859.707820, 2993.999777],
            ),
            (
                "mth-gamma",
                [
                    2628.4288529557,
                    492.5681296533,
                    16.4552929054,
                    24.0,
                    147.6760002401,
                    182.0651999836,
                ],
                [2599.734880, 1867.096729, 3867.367318],
            ),
        ],
    );
}

#[test]
fn mt_is_the_independence_model() {
    let Some(table) = shared_table("kosovo.csv") else {
        return;
    };
    let mt = mse::estimate(&table, &Method::Closed(ClosedModel::Mt), 0.95).expect("Mt");
    let independence = mse::estimate(&table, &Method::Independence, 0.95).expect("independence");
    close(mt.estimate, independence.estimate, 1e-9, "estimate");
    close(
        mt.deviance.expect("deviance"),
        independence.deviance.expect("deviance"),
        1e-9,
        "deviance",
    );
}

#[test]
fn negative_chao_parameters_are_set_to_zero_as_rcapture_does() {
    // Rcapture's closedp.t reports neg.eta = "eta4" on Kosovo for both Chao models, and on
    // spina bifida Mh Chao becomes M0 once eta3 is set to zero.
    let Some(kosovo) = shared_table("kosovo.csv") else {
        return;
    };
    for model in ["mh-chao", "mth-chao"] {
        let model = ClosedModel::from_name(model).expect("a model");
        let fit = mse::closed::fit(&kosovo, model).expect("fits");
        assert_eq!(fit.set_to_zero, ["eta4"], "{model:?}");
    }
    let Some(spina) = shared_table("spina_bifida.csv") else {
        return;
    };
    let chao = mse::closed::fit(&spina, ClosedModel::from_name("mh-chao").expect("a model"))
        .expect("fits");
    let m0 = mse::closed::fit(&spina, ClosedModel::M0).expect("fits");
    assert_eq!(chao.set_to_zero, ["eta3"]);
    close(
        chao.estimate,
        m0.estimate,
        1e-12,
        "Mh Chao without eta3 is M0",
    );
}

#[test]
fn every_closed_model_is_a_method_by_name() {
    let Some(table) = shared_table("hiv_rome.csv") else {
        return;
    };
    for model in ClosedModel::ALL {
        assert!(
            mse::METHOD_NAMES.contains(&model.name()),
            "{}",
            model.name()
        );
        let method = Method::from_name(model.name(), &mse::MethodOptions::default(), &table)
            .expect("a method");
        assert_eq!(method, Method::Closed(model));
        assert_eq!(method.name(), model.name());
    }
}
