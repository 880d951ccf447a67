import { CHECKOUT, WISHLIST } from './fixtures';
import { DeclaredService } from '../../src/cost-data/declarations/cloud-assembly';
import { markdownLine, renderMarkdown } from '../../src/cost-data/format/markdown';
import { Report } from '../../src/cost-data/report/model';
import { DEFAULT_THRESHOLDS } from '../../src/cost-data/review/review-flags';
import { reviewPacks } from '../../src/cost-data/review/review-run';

/*
 * The Markdown output read back by a CommonMark parser (commonmark.js, the reference implementation, a dev
 * dependency of ours): every line of text comes back as the text it was, with no stray
 * backslash ("\244.00 USD" at the start of a list item, issue 20) and no accidental heading, list or code block.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const commonmark = require('commonmark') as {
  Parser: new () => { parse(text: string): CmNode };
  HtmlRenderer: new () => { render(node: CmNode): string };
};

interface CmNode {
  readonly type: string;
  readonly literal: string | null;
  readonly firstChild: CmNode | null;
  readonly next: CmNode | null;
  readonly level: number;
}

const children = (n: CmNode): CmNode[] => {
  const out: CmNode[] = [];
  for (let c = n.firstChild; c; c = c.next) {
    out.push(c);
  }
  return out;
};

/** The plain text of a node: its text, code and entity literals, soft breaks as spaces. */
const textOf = (n: CmNode): string => (n.type === 'text' || n.type === 'code' ? n.literal ?? ''
  : n.type === 'softbreak' ? ' ' : children(n).map(textOf).join(''));

const VALUES = [
  '244.00 USD of the period carries neither a declared service tag nor a business-unit tag',
  '3. step', '1) first', '1234567890. not a list (ten digits)', '2026-12: 50.00 of private-network', '-12.50 credit', '- dash', '+ plus', '+5 %',
  '# heading', '#1 pick', '####### seven', '--', '- - -', '---', '***', '___', '    four spaces', '\tindented', '> quote', '<b>bold</b>',
  '*emphasis* and _under_score_', '[link](javascript:alert(1))', '`code`', '~~strike~~', 'back\\slash', 'a | b', 'x &amp; y', '===',
];

describe('markdownLine: text in a list item reads back as itself', () => {
  test.each(VALUES)('%j', (value) => {
    const doc = new commonmark.Parser().parse(`- ${markdownLine(value)}\n`);
    const [list] = children(doc);
    expect(children(doc)).toHaveLength(1);
    expect(list.type).toBe('list');
    const [item] = children(list);
    expect(children(list)).toHaveLength(1);
    expect(children(item).map((c) => c.type)).toEqual(['paragraph']);
    expect(textOf(item).replace(/^\s+/, '')).toBe(value.replace(/^\s+/, ' ').trimStart());
  });

  test('only what CommonMark would read as a block is escaped', () => {
    expect(markdownLine('244.00 USD')).toBe('244.00 USD');
    expect(markdownLine('2026-12: 50.00')).toBe('2026-12: 50.00');
    expect(markdownLine('#1 pick')).toBe('#1 pick');
    expect(markdownLine('-12.50 credit')).toBe('-12.50 credit');
    expect(markdownLine('3. step')).toBe('3\\. step');
    expect(markdownLine('- dash')).toBe('\\- dash');
    expect(markdownLine('# heading')).toBe('\\# heading');
  });

  test.each(['Cost of C #', '#', 'Value review: retail, 2026-06 to 2026-11', '3. step'])('a heading %j reads back as itself', (title) => {
    const report: Report = { title, summary: [], sections: [], notes: [], data: {} };
    const [h] = children(new commonmark.Parser().parse(renderMarkdown(report)));
    expect([h.type, h.level, textOf(h)]).toEqual(['heading', 1, title]);
  });
});

describe('the value review pack in Markdown', () => {
  test('renders with no stray backslash: amounts at the start of a note, dates, names', () => {
    // GIVEN cost nobody can claim (no service tag, no business-unit tag): its note starts with the amount
    const decl = (r: typeof CHECKOUT): DeclaredService => ({ record: r, assembly: 'cdk.out', stack: r.stackName });
    const row = (service: string, group: string, day: string, amount: number) => ({ service, group, day, amount, currency: 'USD', estimated: false });
    const packs = reviewPacks({
      result: {
        rows: [row('checkout', 'retail', '2026-10-01', 600), row('wishlist', 'retail', '2026-10-01', 40), row('', '', '2026-10-01', 244),
          row('checkout', 'retail', '2026-11-01', 650), row('wishlist', 'retail', '2026-11-01', 45)],
        source: 'CUR 2.0 files (1 CSV file)',
        notes: [],
      },
      services: [decl(CHECKOUT), decl(WISHLIST)],
      months: ['2026-10', '2026-11'],
      today: '2026-12-03',
      businessUnits: [],
      thresholds: DEFAULT_THRESHOLDS,
      declarations: 'cdk.out',
    });

    // WHEN
    const md = renderMarkdown(packs.combined);
    const html = new commonmark.HtmlRenderer().render(new commonmark.Parser().parse(md));

    // THEN
    expect(md).toContain('\n- 244.00 USD of the period carries neither a declared service tag nor a business-unit tag');
    expect(md).not.toMatch(/\\\d/);
    expect(html).toContain('<li>244.00 USD of the period carries neither a declared service tag nor a business-unit tag');
    expect(html).not.toContain('\\');
    // every heading of the pack model is a heading of the document, with its text
    const headings = children(new commonmark.Parser().parse(md)).filter((n) => n.type === 'heading').map(textOf);
    expect(headings).toEqual([packs.combined.title, ...packs.combined.sections.filter((s) => s.heading).map((s) => s.heading), 'Notes']);
  });
});
