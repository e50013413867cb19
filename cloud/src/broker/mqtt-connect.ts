// Connects an mqtt.js client with a bounded first attempt, preferring MQTT 5 (shared subscriptions, reason
// codes) and falling back to 3.1.1 when the broker does not speak 5.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface ConnectedMqtt {
  client: MqttClient;
  protocolVersion: 4 | 5;
}

export class MqttConnectError extends Error {
  override name = 'MqttConnectError';
  readonly code: number | undefined;

  constructor(message: string, code: number | undefined) {
    super(message);
    this.code = code;
  }
}

// CONNACK codes that say "wrong credentials", not "wrong protocol" (MQTT 3.1.1 §3.2.2.3, MQTT 5 §3.2.2.2).
const AUTH_REFUSALS = new Set([4, 5, 0x86, 0x87, 0x8c]);

/** One attempt; resolves once CONNACK accepts, rejects on refusal, close or timeout, and ends the client. */
export async function connectOnce(
  url: string,
  options: IClientOptions,
  timeoutMs: number,
): Promise<MqttClient> {
  const reconnectPeriod = options.reconnectPeriod ?? 1000;
  const client = mqtt.connect(url, { ...options, reconnectPeriod: 0, connectTimeout: timeoutMs });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        finish(new MqttConnectError(`no CONNACK from ${url} within ${timeoutMs} ms`, undefined));
      }, timeoutMs);
      const onConnect = (): void => finish(null);
      const onError = (error: Error & { code?: unknown }): void => {
        finish(new MqttConnectError(error.message, typeof error.code === 'number' ? error.code : undefined));
      };
      const onClose = (): void => finish(new MqttConnectError(`${url} closed the connection`, undefined));
      function finish(error: MqttConnectError | null): void {
        clearTimeout(timer);
        client.off('connect', onConnect);
        client.off('error', onError);
        client.off('close', onClose);
        if (error === null) resolve();
        else reject(error);
      }
      client.on('connect', onConnect);
      client.on('error', onError);
      client.on('close', onClose);
    });
  } catch (error) {
    client.end(true);
    throw error;
  }
  // From here on mqtt.js reconnects by itself; the first attempt was bounded instead.
  client.options.reconnectPeriod = reconnectPeriod;
  return client;
}

/** MQTT 5 first; on any failure that is not a credentials refusal, MQTT 3.1.1 once. */
export async function connectPreferringV5(
  url: string,
  options: IClientOptions,
  timeoutMs: number,
): Promise<ConnectedMqtt> {
  try {
    return {
      client: await connectOnce(url, { ...options, protocolVersion: 5 }, timeoutMs),
      protocolVersion: 5,
    };
  } catch (error) {
    if (error instanceof MqttConnectError && error.code !== undefined && AUTH_REFUSALS.has(error.code))
      throw error;
  }
  return {
    client: await connectOnce(url, { ...options, protocolVersion: 4 }, timeoutMs),
    protocolVersion: 4,
  };
}
