import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * A dashboard widget whose content is built when the dashboard body is rendered (at synthesis), so that
 * usage metrics registered after the service was constructed, and resources added to it later, are shown.
 *
 * `cloudwatch.Dashboard` lays its rows out when its body token is resolved; this widget builds its rows then
 * (once) and lays them out as a column.
 */
export class LazyWidgets implements cloudwatch.IWidget {
  public readonly width = cloudwatch.GRID_WIDTH;
  private built?: cloudwatch.Column;
  private json?: any[];
  private x?: number;
  private y?: number;

  constructor(private readonly build: () => cloudwatch.IWidget[][]) {}

  public get height(): number {
    return this.layout().height;
  }

  public position(x: number, y: number): void {
    if (this.json && (x !== this.x || y !== this.y)) {
      this.json = undefined;
    }
    this.x = x;
    this.y = y;
    this.layout().position(x, y);
  }

  /**
   * aws-cdk-lib renders a dashboard body three times per synthesis (reference discovery, template, tree.json). The
   * widgets' JSON holds unresolved tokens and the layout is fixed once built, so it is rendered once per position and each
   * rendering of the body resolves the same JSON in its own context.
   */
  public toJson(): any[] {
    if (!this.json) {
      this.json = this.layout().toJson();
    }
    return this.json;
  }

  private layout(): cloudwatch.Column {
    if (!this.built) {
      this.built = new cloudwatch.Column(...this.build().filter((row) => row.length > 0).map((row) => new cloudwatch.Row(...row)));
    }
    return this.built;
  }
}

/** Escapes text for CloudWatch's Markdown text widget. */
export function markdown(text: string): string {
  return String(text).replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}
