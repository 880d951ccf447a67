import { COST_SPEC } from './cost';
import { COVERAGE_SPEC } from './coverage';
import { REVIEW_SPEC } from './review';
import { SAMPLE_SPEC } from './sample';
import { CATALOG_SPEC, SERVICES_SPEC } from './services';
import { CommandSpec } from '../command-spec';

/** The commands of `customer-value`, in the order the help lists them: the one place a command is added. */
export const COMMANDS: readonly CommandSpec[] = [SERVICES_SPEC, COST_SPEC, COVERAGE_SPEC, REVIEW_SPEC, CATALOG_SPEC, SAMPLE_SPEC];
