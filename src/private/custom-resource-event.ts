/**
 * The CloudFormation custom resource request fields the library's handlers read (a subset of
 * CloudFormationCustomResourceEvent; AWS CloudFormation user guide, "Custom resource request objects").
 */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, any>;
  readonly OldResourceProperties?: Record<string, any>;
}
