import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Who receives a business unit's review pack.
 */
export interface ValueReviewRecipient {
  /** The business unit, as the services declare it. */
  readonly businessUnit: string;
  /**
   * E-mail addresses that receive the summary and flags of the unit's pack (subscribed to the construct's topic,
   * filtered to this unit; each address confirms its subscription once). An address listed under several units gets
   * one subscription for all of them.
   * @default - none
   */
  readonly emails?: string[];
  /**
   * A topic of the unit's own (a chat integration, say) that receives the summary. If it is KMS-encrypted, let the
   * construct's function use its key. A unit has at most one: two entries giving different topics for the same unit
   * are refused at synth (subscribe the second endpoint to the first topic).
   * @default - none
   */
  readonly topic?: sns.ITopic;
}
