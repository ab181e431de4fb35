//! The columns of each table: what a cell holds and where its value goes in the TOML entry the
//! row stands for (README, "Tables").

/// What a cell holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Text taken as written (ids, types, labels), even when it looks like a number.
    Text,
    /// A number, `true`/`false` or inline TOML, as the key takes it in TOML.
    Number,
    /// `true` or `false`.
    Bool,
    /// A number of days or an inline distribution (`lead_time`).
    Days,
    /// A stock level: units, `5d`, `95%`, `1lt` or inline TOML.
    Level,
    /// Ids separated by `;` or spaces.
    Ids,
    /// Numbers separated by `;` or spaces.
    Numbers,
}

impl Kind {
    /// What a cell of this kind must look like, for messages.
    pub(super) fn expects(self) -> &'static str {
        match self {
            Kind::Text => "a text",
            Kind::Number => "a number",
            Kind::Bool => "true or false",
            Kind::Days => "a number of days or a distribution",
            Kind::Level => "a stock level",
            Kind::Ids => "ids separated by ';' or spaces",
            Kind::Numbers => "numbers separated by ';' or spaces",
        }
    }

    /// Examples of cells of this kind, for the help line.
    pub(super) fn examples(self) -> &'static str {
        match self {
            Kind::Text => "any text",
            Kind::Number => "a number such as 12, 0.5, -3 or 1e3 (no thousands separators)",
            Kind::Bool => "true or false",
            Kind::Days => "a whole number of days such as 3, or a distribution such as { type = 'poisson', mean = 3 }",
            Kind::Level => "units (40), days of cover (5d), a cycle-service target (95%) or lead-time cover (1lt)",
            Kind::Ids => "ids separated by ';' or spaces, e.g. dc-1;store-2",
            Kind::Numbers => "numbers separated by ';' or spaces, e.g. 0.9;0.9;1;1;1;1.2;1.1",
        }
    }
}

/// Where a column's value goes in the entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// A key of the entry itself.
    Top,
    /// The `policy` column: the policy's `type` (or the whole policy as inline TOML).
    PolicyType,
    /// A key of the `policy` table (`level`, `s`, `S`, `Q`, `review_days`, ...).
    Policy,
    /// The `distribution` column: its `type` (or the whole distribution as inline TOML).
    DistType,
    /// A parameter of the `distribution` table (`mean`, `sd`, `probability`, `values`).
    Dist,
    /// A key of the `seasonality` table (`weekly`, `monthly`).
    Season,
}

/// One column of a table.
#[derive(Debug)]
pub(super) struct Column {
    /// Header name, which is also the TOML key.
    pub name: &'static str,
    /// What its cells hold.
    pub kind: Kind,
    /// Where its value goes.
    pub place: Place,
}

const fn col(name: &'static str, kind: Kind, place: Place) -> Column {
    Column { name, kind, place }
}

const fn top(name: &'static str, kind: Kind) -> Column {
    Column { name, kind, place: Place::Top }
}

/// A table: its key under `[tables]`, its columns and which make a row unique.
#[derive(Debug)]
pub(super) struct Schema {
    /// The scenario array its rows are appended to (`locations`, ...).
    pub table: &'static str,
    /// Columns every file of this table must have (and every row fill).
    pub required: &'static [&'static str],
    /// Every column the table knows, in groups (the policy columns are shared).
    pub columns: &'static [&'static [Column]],
    /// Columns whose values no two rows may share (`channel` counts as `store` when empty).
    pub unique: &'static [&'static str],
    /// Prefix of columns that are read by nobody (`fit_`).
    pub ignored_prefix: Option<&'static str>,
}

impl Schema {
    /// The schema of a `[tables]` key's table (`history` gives demand rows).
    pub(super) fn of(table: &str) -> Option<&'static Schema> {
        [&LOCATIONS, &SKUS, &POSITIONS, &DEMAND].into_iter().find(|s| s.table == table)
    }

    /// The column with this header name.
    pub(super) fn column(&self, name: &str) -> Option<&'static Column> {
        self.all().find(|c| c.name == name)
    }

    /// Every column.
    pub(super) fn all(&self) -> impl Iterator<Item = &'static Column> {
        let groups: &'static [&'static [Column]] = self.columns;
        groups.iter().flat_map(|g| g.iter())
    }
}

use Kind::*;

/// Policy columns shared by locations.csv (a location-wide policy) and positions.csv.
static POLICY: [Column; 9] = [
    col("policy", Text, Place::PolicyType),
    col("level", Level, Place::Policy),
    col("s", Level, Place::Policy),
    col("S", Level, Place::Policy),
    col("min", Level, Place::Policy),
    col("max", Level, Place::Policy),
    col("r", Level, Place::Policy),
    col("Q", Number, Place::Policy),
    col("review_days", Number, Place::Policy),
];

/// locations.csv.
static LOCATIONS: Schema = Schema {
    table: "locations",
    required: &["id", "type"],
    columns: &[
        &[
            top("id", Text),
            top("type", Text),
            top("source", Text),
            top("lead_time", Days),
            top("region", Text),
            top("tier", Text),
            top("holding_cost", Number),
            top("stockout_cost", Number),
            top("order_cost", Number),
            top("capacity_per_day", Number),
            top("order_delay", Number),
            top("weight", Number),
            top("initial_pipeline", Number),
            top("rationing", Text),
            top("fulfil_from", Ids),
            top("initial_on_hand", Level),
            top("description", Text),
        ],
        &POLICY,
    ],
    unique: &["id"],
    ignored_prefix: None,
};

/// skus.csv.
static SKUS: Schema = Schema {
    table: "skus",
    required: &["id"],
    columns: &[&[
        top("id", Text),
        top("unit_cost", Number),
        top("price", Number),
        top("holding_cost", Number),
        top("stockout_cost", Number),
        top("order_cost", Number),
        top("discrete", Bool),
        top("description", Text),
    ]],
    unique: &["id"],
    ignored_prefix: None,
};

/// positions.csv.
static POSITIONS: Schema = Schema {
    table: "positions",
    required: &["location", "sku"],
    columns: &[
        &[top("location", Text), top("sku", Text)],
        &POLICY,
        &[
            top("initial_on_hand", Level),
            top("holding_cost", Number),
            top("stockout_cost", Number),
            top("order_cost", Number),
        ],
    ],
    unique: &["location", "sku"],
    ignored_prefix: None,
};

/// demand.csv (what `echelon fit` writes).
static DEMAND: Schema = Schema {
    table: "demand",
    required: &["location", "sku", "distribution"],
    columns: &[&[
        top("location", Text),
        top("sku", Text),
        col("distribution", Text, Place::DistType),
        col("mean", Number, Place::Dist),
        col("sd", Number, Place::Dist),
        col("probability", Number, Place::Dist),
        col("values", Numbers, Place::Dist),
        top("channel", Text),
        col("weekly", Numbers, Place::Season),
        col("monthly", Numbers, Place::Season),
        top("trend_per_year", Number),
    ]],
    unique: &["location", "sku", "channel"],
    ignored_prefix: Some("fit_"),
};

/// The distribution parameters (columns) each `distribution` type takes; `mean` goes to
/// `value` for `constant`. A type not listed takes every parameter given (validation then
/// names the unknown type or key).
pub(super) fn dist_params(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "poisson" | "constant" => &["mean"],
        "normal" | "negative_binomial" | "gamma" => &["mean", "sd"],
        "intermittent" => &["mean", "sd", "probability"],
        "weeks" | "sequence" | "empirical" => &["values"],
        _ => return None,
    })
}
