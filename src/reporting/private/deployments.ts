import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CostScope } from '../cost-reporting-options';

/*
 * The deployments of one service that AWS cost data cannot tell apart. Cost allocation tags are the same on every
 * deployment of a service, so in one account (and, with CostScope.REGION, one region) the budget, the daily cost
 * metric and the dashboard of each deployment would all count every deployment. The deployments of such a group
 * share one budget: the deployment whose stack comes first in construct-path order owns it, decided again each time
 * a deployment joins (services can be declared in any order), so the result never depends on declaration order.
 * Accounts (and regions) only known at deploy cannot be compared: such deployments keep a budget each.
 */

/** A deployment of a service, as the group sees it. */
export interface Deployment {
  /** Construct path of its stack: the election order. */
  readonly stackPath: string;
  /** How messages name it: `<stack name> (<region>)`. */
  readonly label: string;
  /** Creates its budget (the deployment was elected). */
  takeBudget(): void;
  /** Removes its budget (another deployment was elected). */
  dropBudget(): void;
}

const GROUPS = new WeakMap<IConstruct, Map<string, Deployment[]>>();

/** What a group is keyed by, or undefined when the account (or, for REGION, the region) is only known at deploy. */
export function groupKey(serviceName: string, scope: CostScope, stack: Stack): string | undefined {
  if (Token.isUnresolved(stack.account) || (scope === CostScope.REGION && Token.isUnresolved(stack.region))) {
    return undefined;
  }
  return scope === CostScope.REGION ? `${serviceName}\n${stack.account}\n${stack.region}` : `${serviceName}\n${stack.account}`;
}

/**
 * Adds `deployment` to its group and applies the election: the first by stack path takes the budget, every other
 * member drops it. Returns the group (shared, so later joins are visible).
 */
export function joinGroup(root: IConstruct, key: string, deployment: Deployment): Deployment[] {
  let groups = GROUPS.get(root);
  if (!groups) {
    groups = new Map();
    GROUPS.set(root, groups);
  }
  let group = groups.get(key);
  if (!group) {
    group = [];
    groups.set(key, group);
  }
  const previous = elected(group);
  group.push(deployment);
  const winner = elected(group)!;
  if (winner === deployment) {
    previous?.dropBudget();
    deployment.takeBudget();
  }
  return group;
}

/** The deployment that owns the group's budget. */
export function elected(group: Deployment[]): Deployment | undefined {
  return [...group].sort((a, b) => (a.stackPath < b.stackPath ? -1 : a.stackPath > b.stackPath ? 1 : 0))[0];
}
