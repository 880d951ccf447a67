import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DeclarationRegistration } from './declaration-registration';
import { configuredRegistry } from './private/location';

/**
 * Creates the registration of the stack a service is declared in, when the context names a registry
 * (`customer-value:registry`) and the app does not opt out (`customer-value:registerDeclarations` false): called by
 * every `CustomerService`, so that deploying a stack registers its services without any code.
 */
export function registerWhereConfigured(service: IConstruct): void {
  if (!service.node.scopes.some((s) => Stack.isStack(s)) || configuredRegistry(service) === undefined) {
    return;
  }
  DeclarationRegistration.of(service);
}

/**
 * Whether the context names a registry for `scope` and the app does not opt out: where a stack's services and rule
 * sets are registered.
 */
export function registryConfigured(scope: IConstruct): boolean {
  return configuredRegistry(scope) !== undefined;
}
