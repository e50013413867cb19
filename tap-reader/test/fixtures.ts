// Keys, wallets and a kiosk shared by the tap-reader tests.
import { generateKeyPair } from '@redtap/shared';
import { DemoKiosk, mintDemoWallet, type DemoKioskOptions } from '../src/demo-kiosk.ts';
import { VirtualPhone, type PhoneBehaviour } from '../src/virtual-phone.ts';

export const issuer = generateKeyPair();
export const screenKey = generateKeyPair();

export function createKiosk(options: Partial<DemoKioskOptions> = {}): DemoKiosk {
  return new DemoKiosk({ screenId: 42, screenKey, issuerPublicKey: issuer.publicKey, ...options });
}

let nextWalletId = 1000;

export function createPhone(behaviour: PhoneBehaviour = { kind: 'normal' }, online = false): VirtualPhone {
  const wallet = mintDemoWallet(issuer.privateKey, nextWalletId++);
  return new VirtualPhone({ ...wallet, behaviour, online });
}
