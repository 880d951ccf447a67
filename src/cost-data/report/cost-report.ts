import { aggregate, mergeServices } from './aggregate';
import { costChart } from './chart';
import { groupingLabel } from './labels';
import { Report } from './model';
import { costRows } from './rows';
import { dataQuality, missingDays, qualitySections, reportData, reportNotes, SummaryInput, summaryLines } from './summary';
import { addDays } from '../../private/iso-date';
import { DeclaredService } from '../declarations/cloud-assembly';
import { groupTagKey, reportGrouping } from '../grouping';

export interface CostReportInput extends SummaryInput {
  readonly services: DeclaredService[];
}

/**
 * The cost report: the source's cost table joined with the declarations. One row per value of the grouped tag
 * (declared or not), a row for untagged spend, the tagged share of spend (resource spend where the source tells tax,
 * credits and refunds apart), declared services without cost, tag values not declared, unit cost per service where
 * usage is known, and the daily series for the chart.
 *
 * The steps are separate so that later reports reuse them: `aggregate` (rows to groups), `costRows` (the table),
 * `summaryLines` / `dataQuality` (totals and tagging), `costChart`. Every step reads the source's normalized cost
 * table (`CostRow`), never a source: a transformation of that table (e.g. shared cost passed on over a consumption
 * graph) fits between the source and `aggregate`, and a report over other periods (e.g. months) reuses `aggregate`.
 */
export function costReport(input: CostReportInput): Report {
  const { query, result } = input;
  const grouping = reportGrouping(query);
  const { services, notes: declarationNotes } = mergeServices(input.services);
  const agg = aggregate(query, result, services);
  const dq = dataQuality(agg, services);
  const { table, json } = costRows(grouping, agg, input);
  const notes = reportNotes(input, agg, declarationNotes);
  const gaps = missingDays(query, agg);
  return {
    warnings: gaps ? [gaps] : [],
    title: `Cost per ${groupingLabel(grouping)}, ${query.from} to ${addDays(query.to, -1)}`,
    summary: summaryLines(input, agg, dq, services),
    sections: [{ table }, ...qualitySections(query, agg, dq)],
    notes,
    chart: costChart(agg.groups, query.from, query.to, agg.currency, grouping),
    data: reportData(input, agg, dq, {
      groupBy: grouping,
      tagKey: query.byProvider || query.dimension !== undefined ? null : groupTagKey(query.groupBy, query.tagKeys),
      rows: json,
      notes,
    }),
  };
}
