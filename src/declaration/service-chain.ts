import { Annotations, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CostAllocationRecord } from './record';
import { isService, recordValueChain, valueChainChanged, valueChainFindings } from './registry';
import { describe } from './rules';
import { allocationProblems, allocationRecord, CONSUMES_HINT, providerNameProblems } from './value-chain-rules';
import { Allocation, AllocationMethod } from '../cost-allocation';
import type { ICustomerService } from '../customer-service-base';
import { closest } from '../private/placeholders';

/** Warning id: a consumed service no service of the app declares. */
export const PROVIDER_NOT_IN_APP_WARNING = 'cdk-customer-value:CustomerService.providerNotInApp';
/** Warning id: a fixed share for a service no service of the app declares. */
export const SHARE_NOT_IN_APP_WARNING = 'cdk-customer-value:CustomerService.shareNotInApp';

/**
 * One service's part of the value chain: the services it consumes and how it passes its own cost on. Problems with
 * the arguments are added to the service's problems (reported at synth with the rest of its declaration); what
 * depends on the other services of the app (cycles, shares for non-consumers, names nobody declares) is checked
 * when the app is validated.
 */
export class ServiceChain {
  /** The allocation as declared, when it is sound; undefined when none was declared. */
  public readonly allocation?: Allocation;
  private readonly names: string[] = [];
  private warned = false;

  constructor(private readonly service: ICustomerService, allocation: unknown, private readonly problems: string[]) {
    const found = allocationProblems('costAllocation', allocation);
    problems.push(...found);
    this.allocation = found.length === 0 ? allocation as Allocation | undefined : undefined;
    recordValueChain(service, () => ({
      consumes: this.names,
      fixedShares: this.allocation?.method === AllocationMethod.FIXED ? this.allocation.percentages : undefined,
    }));
  }

  /** The names of the services consumed, in the order declared. */
  public get consumed(): string[] {
    return [...this.names];
  }

  /** Adds providers (`consumes()`); bad arguments become problems of the service. */
  public add(providers: readonly unknown[]): void {
    for (const p of providers) {
      const name = this.providerName(p);
      if (name !== undefined && !this.names.includes(name)) {
        this.names.push(name);
        valueChainChanged();
      }
    }
  }

  /** Problems once the app is complete. */
  public validate(): string[] {
    return valueChainFindings(this.service).problems;
  }

  /**
   * Warnings (once) for names the app does not declare: called when synthesis reaches the service (its tag aspect),
   * once the app is complete.
   */
  public warn(): void {
    if (this.warned) {
      return;
    }
    this.warned = true;
    const findings = valueChainFindings(this.service);
    const nearest = (name: string) => {
      const suggestion = closest(name, findings.declaredNames.filter((n) => n !== this.service.serviceName));
      return suggestion ? `did you mean ${JSON.stringify(suggestion)}? ` : '';
    };
    for (const name of findings.unknownProviders) {
      Annotations.of(this.service).addWarningV2(PROVIDER_NOT_IN_APP_WARNING,
        `"${this.service.serviceName}" consumes "${name}", which no service of this app declares: ${nearest(name)}fine when another app declares it `
        + '(the customer-value CLI checks the name across the cloud assemblies it reads with --assembly); otherwise correct the name');
    }
    for (const name of findings.unknownShareholders) {
      Annotations.of(this.service).addWarningV2(SHARE_NOT_IN_APP_WARNING,
        `costAllocation of "${this.service.serviceName}" gives ${this.allocation?.percentages?.[name]} % to "${name}", which no service of this `
        + `app declares: ${nearest(name)}fine when another app declares it and it consumes "${this.service.serviceName}" (the customer-value CLI checks `
        + 'this across the cloud assemblies it reads; a share it cannot give stays unallocated); otherwise correct the name');
    }
  }

  /** The record fields: what it consumes, its consumers in the app, its allocation. */
  public record(): { consumes: string[]; consumedBy: string[]; costAllocation?: CostAllocationRecord } {
    const a = this.allocation;
    return {
      consumes: [...this.names],
      consumedBy: valueChainFindings(this.service).consumers,
      costAllocation: a ? allocationRecord(a) : undefined,
    };
  }

  private providerName(p: unknown): string | undefined {
    const me = this.service;
    if (p === null || typeof p !== 'object' || !('serviceName' in p)) {
      this.problems.push(`consumes() got ${describe(p)}: ${CONSUMES_HINT}`);
      return undefined;
    }
    if (isService(p)) {
      if (p === me) {
        this.problems.push(`consumes() got this service itself: a service cannot consume itself; ${CONSUMES_HINT}`);
        return undefined;
      }
      if (p.node.root !== me.node.root) {
        this.problems.push(`consumes(${p.node.path}): that service is declared in another app; refer to it by name with `
          + `ServiceRef.named(${JSON.stringify(p.serviceName)})`);
        return undefined;
      }
      if (stageOf(p) !== stageOf(me)) {
        this.problems.push(`consumes(${p.node.path}): that service is declared in another stage; consume the service of this stage `
          + `(ServiceRef.named(${JSON.stringify(p.serviceName)}) resolves to it)`);
        return undefined;
      }
    }
    const name = (p as { serviceName: unknown }).serviceName;
    const found = providerNameProblems(name);
    if (found.length > 0) {
      this.problems.push(...found);
      return undefined;
    }
    if (name === me.serviceName) {
      this.problems.push(`consumes(ServiceRef.named(${JSON.stringify(name)})) names this service itself: a service cannot consume itself; `
        + CONSUMES_HINT);
      return undefined;
    }
    return name as string;
  }
}

function stageOf(construct: IConstruct): IConstruct {
  return Stage.of(construct) ?? construct.node.root;
}
