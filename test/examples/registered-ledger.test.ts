import { describeRegisteredApp } from './registered';
import { createApp, LEDGER_ACCOUNT } from '../../examples/registered-ledger';

describeRegisteredApp({
  file: 'registered-ledger.ts',
  role: 'the other of two apps in two accounts',
  createApp,
  stackName: 'Ledger',
  account: LEDGER_ACCOUNT,
  services: ['invoicing', 'payouts'],
  ruleSets: ['ledger-account'],
});
