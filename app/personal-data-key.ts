import { masterKeyOf, type MasterKey } from '../events/personal-data/index.js';
import { checkedSecret, generatedSecret } from './jwt-secret.js';

/**
 * The master key of the personal data keys (events/personal-data/key-store.ts): derived from
 * PERSONAL_DATA_KEY when set, else from a secret generated once into DATA_DIR/personal-data-key
 * the way the JWT secret is (app/jwt-secret.ts: written whole, agreed on by processes starting
 * together, refused when shorter than 32 bytes). Every process of a deployment, the replay CLI
 * included, must get the same one: a different one is refused when it meets a stored key.
 */
export const resolvePersonalDataKey = async (configured: string | undefined, dataDir: string): Promise<MasterKey> =>
  masterKeyOf(configured === undefined ? await generatedSecret(dataDir, 'personal-data-key') : checkedSecret(configured, 'PERSONAL_DATA_KEY'));
