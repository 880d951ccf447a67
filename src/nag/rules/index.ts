export { default as ResourceOutsideService } from './ResourceOutsideService';
export { default as TagsMissingOrOverridden } from './TagsMissingOrOverridden';
export { default as CostReportingDisabled } from './CostReportingDisabled';
export { default as ValueReviewOverdue } from './ValueReviewOverdue';
export { default as NoUsageMetric } from './NoUsageMetric';
export { default as RetiredServiceDeployed } from './RetiredServiceDeployed';
