/** Usage texts of the `customer-value` CLI. */
import { DUCKDB_INSTALL } from '../cost-data/sources/duckdb-version';

export const GENERAL_HELP = `customer-value: read the customer value your CDK services declare, and what it costs

Usage:
  customer-value services [-a DIR]... [-o table|json|csv|markdown] [--out FILE]
  customer-value cost     [--source ce | --source cur PATH... | --source focus PATH... | --source athena]
                          [--from YYYY-MM-DD --to YYYY-MM-DD] [--by service|need|team|business-unit|customer|provider|
                          billing-account|sub-account|charge-category|region|service-category]
                          [--metric unblended|amortized|net-unblended|billed|effective|list|contracted]
                          [--tag-key FIELD=KEY]... [--currency CODE] [--allocate [--spread-untagged]]
                          [-a DIR]... [-o table|json|csv|markdown|html] [--out FILE] [--usage | --no-usage] [-q]
                          [--profile NAME] [--region NAME] [--athena-database NAME] [--athena-table NAME]
                          [--athena-workgroup NAME] [--athena-output S3URI] [--max-pages N] [--timeout SECONDS]
  customer-value review   [--source ce | --source cur PATH... | --source focus PATH... | --source athena] [--business-unit NAME]...
                          [--months N | --from YYYY-MM-01 --to YYYY-MM-01] [--tag-key FIELD=KEY]... [--allocate | --no-allocate]
                          [-a DIR]... [-o markdown|html|json] [--out FILE | --out-dir DIR] [--usage | --no-usage | --usage-file FILE]
                          [--metric METRIC] [--currency CODE] [--threshold NAME=VALUE]... [-q]
                          [AWS, Athena and limit options as for cost]
  customer-value catalog  [-a DIR]... [--out FILE]
  customer-value sample   [-a DIR]... [--out DIR] [--months N]

Commands:
  services   list the customer services declared in one or more cloud assemblies (cdk.out)
  cost       cost per service, need, team, business unit or customer, joined with the declarations;
             --allocate: fully-loaded cost, shared cost passed on over the declared value chain
  review     the business units' value-review packs: services by review urgency, monthly cost trend,
             unit cost, budget vs actual, data quality and flags
  catalog    Backstage catalog entities (catalog-info.yaml) for the declared services
  sample     synthetic CUR 2.0 data for the declared services, to try cost and review without an AWS account

Options for every command:
  -h, --help       show the help of a command
  -V, --version    print the version

Run "customer-value <command> --help" for the options of a command.
Exit codes: 0 success, 1 the command failed (one line on stderr says why), 2 the command line is wrong,
130 / 143 stopped by SIGINT / SIGTERM (a running Athena query is stopped first).
--out files are written atomically (a temporary file, then a rename) and never over an input.
Set CUSTOMER_VALUE_DEBUG=1 to print stack traces.
`;

const ASSEMBLY_HELP = `  -a, --assembly DIR  a cloud assembly (cdk.out, or its manifest.json), or a directory of cloud assemblies
                   (e.g. cdk.out/<app>/ per app, at most 200); repeatable; default: cdk.out. Nested
                   assemblies (CDK Pipelines stages) are included.`;

const OUT_HELP = `  --out FILE       write to FILE instead of stdout: atomically (a temporary file in the same folder, then a
                   rename), never over an input (a CUR or FOCUS file or folder, a file of a cloud assembly)`;

export const SERVICES_HELP = `Usage: customer-value services [-a DIR]... [-o table|json|csv|markdown] [--out FILE]

Lists every customer service declared in the cloud assemblies (the customer-value:service metadata that
"cdk synth" writes), without running the app: service, customer need, customer, team, business unit,
value review status and next review, cost reporting, tag coverage (tagged/taggable resources, untaggable
ones), unit metric, stage and stack.

Options:
${ASSEMBLY_HELP}
  -o, --output FORMAT  table (default), json, csv or markdown
${OUT_HELP}
`;

export const COST_HELP = `Usage: customer-value cost [options]

Cost per customer value: cost grouped by a customer-value tag, joined with the declarations in the cloud
assembly (need statement, customer, team, business unit, value review), with untagged spend as its own
row, the tagged share of resource spend (data quality), declared services without cost, tag values nobody declared,
and unit cost per service where usage is known.

Source (one of):
  --source ce                 Cost Explorer GetCostAndUsage (default); one request per page, 0.01 USD each
  --source cur PATH...        CUR 2.0 data export files read locally with DuckDB: a Parquet or CSV(.gz) file,
                              an export folder (with BILLING_PERIOD= partitions) or a glob; needs
                              "npm install @duckdb/node-api". Links are followed; where the export's
                              manifest exists, only the files it lists are read (others: a warning);
                              line items found twice are refused
  --source focus PATH...      FOCUS 1.0 to 1.3 Cost and Usage data of any provider (AWS, Azure, Google Cloud,
                              OCI...) read locally with DuckDB: Parquet or CSV(.gz) files, export folders or
                              globs; the version is read from the columns (one version at a time); Tags a map
                              (Parquet) or a JSON object (CSV), with 1.3's AllocatedTags; empty and NULL cells
                              are null; timestamps ISO 8601. Billing periods after --to are read too: they
                              hold the corrections of earlier charge periods
  --source athena             Athena over a table of the CostAndUsageExport construct: CUR 2.0 or FOCUS 1.2,
                              detected from the table's columns
    --athena-database NAME    Glue database (default: customer_value)
    --athena-table NAME       Glue table over the export (default: cur2; the FOCUS table: focus)
    --athena-workgroup NAME   Athena workgroup (default: customer-value)
    --athena-output S3URI     query result location (s3://...), unless the workgroup enforces one
                              (the region is --region or the SDK's; the table's defaults are the
                              CostAndUsageExport construct's)

Period and grouping:
  --from YYYY-MM-DD  first day (inclusive)        both default to the last full calendar month (UTC)
  --to YYYY-MM-DD    end day (exclusive)
  --by KEY           service (default), need, team, business-unit or customer (a tag); provider (FOCUS data:
                     cost and tagged share per provider); a column of the data, with the tagged share of
                     each value: billing-account, sub-account, charge-category, region, service-category
                     (FOCUS BillingAccountId, SubAccountId, ChargeCategory, RegionId, ServiceCategory;
                     CUR 2.0 bill_payer_account_id, line_item_usage_account_id, line_item_line_item_type,
                     product_region_code, no service category; Cost Explorer LINKED_ACCOUNT for
                     sub-account and RECORD_TYPE for charge-category only). Only a tag grouping needs
                     the tag: grouped by provider or a column, data without the service tag is reported
                     with a note naming the tag keys it has
  --metric METRIC    CUR 2.0 and Cost Explorer: unblended (default), amortized or net-unblended;
                     FOCUS: billed (BilledCost, default), effective (EffectiveCost, amortized), list
                     (ListCost) or contracted (ContractedCost); unblended and amortized are read as billed
                     and effective, and the report says so
  --tag-key FIELD=KEY  read FIELD (service, need, customer, team, business-unit) from the data's tag KEY,
                     when its keys are not the app's; repeatable; every source. Set it once in cdk.json:
                     "context": {"customer-value:costDataTagKeys": {"businessUnit": "business_unit"}}
  --currency CODE    FOCUS data in several billing currencies: report the charges billed in CODE (the
                     others are left out, with a note); without it such data is refused, as amounts in
                     different currencies are never added up

Value chain:
  --allocate         fully-loaded cost: each provider's cost (its direct cost plus what it received) passed
                     on to the services that consume it, by its declared costAllocation (proportional to
                     their direct cost in the period, even, or fixed percentages), in dependency order
                     across every --assembly. Per row: direct, received, passed on, unallocated and fully
                     loaded cost; cost a provider cannot pass on (no consumer, no consumer with cost, a
                     share for a service that does not consume it) is listed as unallocated shared cost
                     with the reason, so fully loaded + unallocated = the total. Needs the assemblies;
                     a cycle of consumption across them is refused, naming it
  --spread-untagged  with --allocate: spread untagged spend over the rows in proportion to their
                     fully-loaded cost (off by default: untagged spend is its own row)

Declarations and usage:
${ASSEMBLY_HELP}
                   Without --assembly and without ./cdk.out, tag values are reported without declarations.
  --usage          read usage for unit cost from CloudWatch (CustomerValue/UnitUsage per service); default
                   on for ce and athena, off for cur and focus; --no-usage turns it off

AWS:
  --profile NAME   named profile, like the AWS CLI (default: the SDK's credential chain)
  --region NAME    region of the Athena workgroup, and of CloudWatch usage for stacks synthesized without
                   a region (Cost Explorer is always us-east-1)

Limits (a misbehaving endpoint is stopped with one line, never retried for ever):
  --max-pages N      most pages read from one paginated call (GetCostAndUsage, Athena GetQueryResults,
                     CloudWatch GetMetricData; default 100, i.e. at most 1.00 USD of Cost Explorer
                     requests); a page token that repeats stops the call at once
  --timeout SECONDS  total time allowed (default 1800, at most 2147483); each request also has a 10 s
                     connection timeout, 20 s per attempt and 60 s with its retries (at most 5
                     attempts, each retry announced)

Output:
  -o, --output FORMAT  table (default), json, csv, markdown or html (one self-contained file with a chart;
                   without --out it is written to customer-value-cost.html, "--out -" prints it)
${OUT_HELP}
  -q, --quiet      no progress lines on stderr (warnings still print; the report's notes always say how
                   many requests were made and what they cost)
Tag values are untrusted text: bidi controls are shown as <U+202E>, long values are cut with an ellipsis
in the table (whole in json and csv), markup is escaped in markdown and html.
`;

export const REVIEW_HELP = `Usage: customer-value review [options]

The value-review pack of each business unit, from the declarations and the bill: its services ordered by
review urgency (overdue first, then due soon), each with its need, customer, team, last review (date,
reviewer, outcome, note) and next review; cost per month over the trend and its changes (last month
against the month before and against the first month); unit cost per month where usage is known;
budget against actual per month; the unit's tagged share, service tag values nobody declared and spend
with the unit's business-unit tag but no service tag; and flags from documented rules.

Source (one of, as for "customer-value cost"; each reads the whole trend in one go: Cost Explorer one
request per page with MONTHLY granularity, CUR files and Athena one query grouped by month):
  --source ce | --source cur PATH... | --source focus PATH... | --source athena [--athena-database NAME] [--athena-table NAME]
      [--athena-workgroup NAME] [--athena-output S3URI]

Trend and business units:
  --months N             months in the trend, ending with the last full month (UTC); default 6, at most 36
  --from YYYY-MM-01      first month (inclusive) and first month after the trend (exclusive), instead of
  --to YYYY-MM-01        --months
  --business-unit NAME   a business unit to review; repeatable; default: every unit of the declarations
                         or the bill
  --metric METRIC        unblended (default), amortized or net-unblended; FOCUS data: billed (default),
                         effective, list or contracted, as for "cost"
  --currency CODE        FOCUS data in several billing currencies: review the charges billed in CODE, as
                         for "cost"
  --tag-key FIELD=KEY    read FIELD (service, business-unit, ...) from the data's tag KEY, as for "cost";
                         repeatable; cdk.json context customer-value:costDataTagKeys sets it once
  --allocate             add each service's fully-loaded cost per month: the value chain's shared cost passed
                         on month by month, by each provider's declared allocation (as "cost --allocate";
                         proportional shares follow the consumers' direct cost of the month); what a provider
                         cannot pass on is listed in the notes. Unit cost, budget and flags stay on direct cost.
                         On by default when a declared service consumes another; --no-allocate turns it off

Declarations and usage:
${ASSEMBLY_HELP}
  --usage                read each month's usage from CloudWatch (CustomerValue/UnitUsage per service,
                         one GetMetricData request per month); default on for ce and athena, off for cur and focus
  --usage-file FILE      usage per month from a CSV file: header "service,month,units", months YYYY-MM

Flags (each raised by a documented rule; the pack's notes list them with the thresholds used):
  --threshold NAME=VALUE  cost-up=20 (%), unit-cost-up=10 (%), overdue-days=0, min-cost=1 (currency
                          units); repeatable

Output:
  -o, --output FORMAT  markdown (default), html (one self-contained, printable file with a small trend chart
                       per service; without --out or --out-dir it is written to customer-value-review.html)
                       or json
${OUT_HELP}
                   one pack holding every business unit
  --out-dir DIR    one file per business unit, named value-review-<unit>.md|html|json (created if missing)
  -q, --quiet      no progress lines on stderr

AWS and limits: --profile, --region, --max-pages, --timeout as for "customer-value cost".
`;

export const CATALOG_HELP = `Usage: customer-value catalog [-a DIR]... [--out FILE]

Writes Backstage catalog entities (multi-document YAML, catalog-info.yaml) for the declared services:
a Component per service (type service, lifecycle production, owner group:<team>, system <business unit>,
the need as description, customer-value/* annotations and aws.amazon.com/cost-insights-tags), a Group per
team and per business unit, and a System and Domain per business unit.

Names that are not valid Backstage entity names (1-63 characters: letters and digits separated by one of
- _ .) are derived: accents folded, other characters replaced with "-", long names cut with a hash suffix;
the original is kept as the entity title.

Options:
${ASSEMBLY_HELP}
${OUT_HELP}
`;

export const SAMPLE_HELP = `Usage: customer-value sample [-a DIR]... [--out DIR] [--months N]

Writes a small synthetic CUR 2.0 export (CSV.gz, in the Data Exports layout) for the customer services declared in
the cloud assemblies, to try "cost" and "review" without an AWS account: a usage line item a day for each kind of
billable resource each service's template holds, tagged as the service tags its resources, plus untagged shared
spend and a Tax line item each month. Amounts are made up (the same app gives the same amounts). Then:

  customer-value cost --source cur customer-value-sample     (reading needs DuckDB: ${DUCKDB_INSTALL})

Options:
${ASSEMBLY_HELP}
  --out DIR        the folder to write (default: customer-value-sample); a folder an earlier run wrote is replaced,
                   any other existing folder is refused
  --months N       full calendar months, ending with the last full month (default 2, at most 24)
`;
