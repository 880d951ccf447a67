export * from './context-keys';
export * from './customer';
export * from './customer-service';
export * from './tag-keys';
export * from './value-review';
export * from './reporting/cost-reporting-options';
export * from './nag/customer-value-checks';
export * as customerValueRules from './nag/rules';
export * from './billing/cur-sql';
