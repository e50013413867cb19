// The tap source contract on the in-process simulated reader.
import { afterAll, beforeAll } from 'vitest';
import { SimulatedTapSource } from '../src/simulated-reader.ts';
import type { TapHandler } from '../src/types.ts';
import { createKiosk } from './fixtures.ts';
import { describeTapSourceContract, type TapRig } from './tap-source-contract.ts';

let rig: TapRig;
let source: SimulatedTapSource;

beforeAll(async () => {
  let handler: TapHandler = createKiosk();
  source = new SimulatedTapSource({
    handler: {
      onHello: (hello, context) => handler.onHello(hello, context),
      onDayState: (result, context) =>
        handler.onDayState?.(result, context) ?? Promise.reject(new Error('no onDayState')),
      onSignature: (signature, context) => handler.onSignature(signature, context),
    },
  });
  await source.start();
  const names = source.readers().map((reader) => reader.name);
  const readerNames = [names[0] ?? '', names[1] ?? ''] as const;
  rig = {
    source,
    readerNames,
    present: (card, index) => {
      void source.present(card, readerNames[index]);
      return Promise.resolve();
    },
    withdraw: (index) => {
      source.remove(readerNames[index]);
      return Promise.resolve();
    },
    setHandler: (next) => {
      handler = next;
    },
  };
});

afterAll(async () => {
  await source.stop();
});

describeTapSourceContract('simulated reader', () => rig);
