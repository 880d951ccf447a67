export * from './context-keys';
export * from './customer';
export * from './customer-service';
export * from './tag-keys';
export * from './value-review';
export * from './reporting/cost-reporting-options';
export * from './billing/cur-sql';
