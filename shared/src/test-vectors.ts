// Fixed keys and sample messages used by tests across packages and by the hex dumps in
// docs/protocol.md. These keys are public knowledge: never use them outside tests and demos.
import { importPrivateKeyPem, type KeyPair } from './crypto.ts';

export const testIssuerKeyPem = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgsSEGliarxc8clvr4
SO9Xl2zvBr9EN7Gln0eaEC17SYihRANCAATCKrojb5xt9E8M1klH+GgxcQZHklFN
jssEZMA+8xFm3jp5ib8set8lMdJP/tPUy0nHIezhZzpJrE3jUFccFncg
-----END PRIVATE KEY-----
`;

export const testPhoneKeyPem = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+5dLW36naany7gj1
0Iy1bmgWFSLye7J3S51cesHKuaehRANCAAQ3vcfWXNqLqSskAkg81/ghZZqYFD4M
8CjCSDOQ3ISGtQ664FAsOjy0eMelY1XiQGV1Y/aRhneu6iZKDQt+w2n0
-----END PRIVATE KEY-----
`;

export const testScreenKeyPem = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgb0IA+p6HBF8qPwUh
MZ7yGxzFDIe6i92rZVZX8PYkg5uhRANCAATJb35rxHfnXF4Z/vYba3hGFI+xCgxn
+GK8CrA9tHMw4XWlibo3Pyi8d0YQrG8cTmzBoXUM5Nkw+rAGMr43femW
-----END PRIVATE KEY-----
`;

export function testKeys(): { issuer: KeyPair; phone: KeyPair; screen: KeyPair } {
  return {
    issuer: importPrivateKeyPem(testIssuerKeyPem),
    phone: importPrivateKeyPem(testPhoneKeyPem),
    screen: importPrivateKeyPem(testScreenKeyPem),
  };
}

/** Field values of the samples in docs/protocol.md §6. */
export const sampleValues = {
  walletId: 4242,
  credentialSerial: 1,
  credentialExpiresAt: 1_893_456_000, // 2030-01-01T00:00:00Z
  issuerKeyId: 1,
  screenId: 1001,
  counter: 7,
  ts: 1_795_000_000,
  nonce: Uint8Array.from({ length: 16 }, (_, i) => i),
  campaignId: 12,
  deckId: 900,
  envelopeIndex: 3,
  amountFen: 88,
  couponOfferId: 5,
  deckValidFrom: 1_794_990_000,
  deckValidUntil: 1_795_076_400,
} as const;

/** Samples built from {@link sampleValues} and the test keys; docs/protocol.md §6 dumps the same bytes. */
export const sampleHex = {
  credential:
    '010000000000001092000000010437bdc7d65cda8ba92b2402483cd7f821659a98143e0cf028c2483390dc8486b50ebae0502c3a3cb478c7a56355e240657563f6918677aeea264a0d0b7ec369f470dbd88001390cb5e23dadb5913eb9eebeb0b4f739e3dd774a5c8a5d896e3d74f85ef7bd08f8df0bed272d759e1c8dddf79d744bda3af68a21a5fd077b70e58454c70e9b33',
  token:
    '0100000000000003e9000000076afd86c0000102030405060708090a0b0c0d0e0f0000000c0000000000001092000000013fb697bc4eecad4b73197db072d035cbbec265b685fddf3b57e37c29a3c29c806fe99ad98c580f122e5dd4eb50708fadba82deb3b29692e4aaa22ad9a2e023d50000000000000384000300000058000000050137498adb7eb537db8b76d2a7f8b83f07d20fd38f17063c2d8a371f99d7d7a205adff1bf4525c5eb02c71a57a9264e5b0388f98792d10de36d4d5f9384d1156d1',
  deck: '0100000000000003840000000c00000000000003e96afd5fb06afeb130000400000078000000000000002300000005000000c800000000000000580000000501b7dbb6a349ad285a3f957f212ba5b67290e7f2333c64e4ae4f023d0f79092a9cfe02fda3fa179fd11fdcf195e9545565d2d71391dd6139a4fef36a7c39db290a',
  /** Version 2: deck 901, envelopes 120 fen, 35 fen + coupon 5, then an allotment of 2 × coupon 7. */
  deckV2:
    '0200000000000003850000000c00000000000003e96afd5fb06afeb13000040002000000780000000000000023000000050000000000000007000000000000000701546924cd03d9eeee50ee59e0bfd33c07f1dd47ed95b1c7e391ca37fb5e635478b53cab11f7d10439abcd3cee05fa007c8b4040ede4d602e9a658aba187f8c3f0',
  /** GET DAY STATE from screen 1001 in Shanghai for the day of ts 1795000000 there, nonce 00 01 … 0b. */
  dayStateRequest: '00000000000003e99da866746afc7a006afd86c0000102030405060708090a0b',
  /** Wallet 4242's answer, signed by the test phone key: 2 cash packets (123 fen), campaign 12. */
  dayState:
    '0100000000000010926afc7a0000020000007b02016afd84689da86674010000000c0000000302011d3aa81bfb429f32bc52eade99274cb3dd2288b3fbaff19400a3e3e05dae62e708ec3ed27b18f1bd6a2bfa7196d8e3d6561b28a34da07f951bf39a8f4712f177',
  /** Claim ticket (§3.8): screen 1001, ticketSeq 3, ts 1795000000, campaign 12, QR path, nonce 00 … 07. */
  ticket:
    '0100000000000003e9000000036afd86c00000000c01000102030405060702ea22a47be2f96f563cba66ca8ae62986188cbcfbbb8c3e2da22fb27c6565c2dcec75a8f359c210fa3be8db90a08db9604a744dbbaa5972123ff28d82f348d8',
} as const;

/** A fixed signature by the test screen key, label `tap`, over ASCII "redtap test vector". */
export const fixedSignatureVector = {
  label: 'redtap:v1:tap',
  message: 'redtap test vector',
  signatureHex:
    '122d001ce962eb3ec37967c589735dd2432f7f44fad86aec11e5e7d7241cd0fc1831ea7ce9ad7f86ffad0c18a60c3f37b9a5d3e16de4c82a1df3b61d87d6ef3d',
} as const;
