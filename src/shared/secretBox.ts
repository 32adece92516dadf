import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Secrets Ringside must keep and use again (a phone's web password: its login needs the password
 * itself), sealed at rest with AES-256-GCM (docs/architecture.md, Files on disk). A sealed value is
 * text, one line, versioned so the key or the scheme can change later without a guess:
 *
 *     v1:<iv>:<tag>:<ciphertext>      (each base64; iv 12 random bytes, tag 16 bytes)
 *
 * `v1` is AES-256-GCM under the key of the secrets key file (32 random bytes). The box does no
 * I/O: the composition root reads the key file (src/app/secretsKey.ts) and hands the box to the
 * adapters that store secrets.
 */
export const SECRET_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';
const SEALED = /^v1:([A-Za-z0-9+/]{16}):([A-Za-z0-9+/]{22}==):([A-Za-z0-9+/]*={0,2})$/;

export class SecretBoxError extends Error {}

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** A box for a 32-byte key. */
  static withKey(key: Buffer): SecretBox {
    if (key.length !== SECRET_KEY_BYTES) throw new SecretBoxError(`a secrets key has ${SECRET_KEY_BYTES} bytes, not ${key.length}`);
    return new SecretBox(Buffer.from(key));
  }

  /**
   * A box whose key lives as long as this process (one per process): for tests and tools that
   * keep nothing across restarts. A server seals with its key file's box.
   */
  static forThisProcess(): SecretBox {
    processBox ??= new SecretBox(randomBytes(SECRET_KEY_BYTES));
    return processBox;
  }

  static generateKey(): Buffer {
    return randomBytes(SECRET_KEY_BYTES);
  }

  /** Whether a stored value is sealed (in a format this version knows), rather than clear text of an older Ringside. */
  /**
   * A value that tells keys apart without revealing them (an HMAC of a fixed text): servers sharing
   * one database compare theirs with the one recorded there (src/app/stores.ts).
   */
  fingerprint(): string {
    return createHmac('sha256', this.key).update('ringside secrets key check').digest('base64url');
  }

  static isSealed(value: string): boolean {
    return SEALED.test(value);
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
  }

  /** The clear text of a sealed value; a SecretBoxError when it is not one, or was sealed under another key, or was altered. */
  open(sealed: string): string {
    const parts = SEALED.exec(sealed);
    if (!parts) throw new SecretBoxError('not a sealed secret (v1:<iv>:<tag>:<ciphertext>)');
    const [, iv, tag, ciphertext] = parts as unknown as [string, string, string, string];
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('the sealed secret does not open with this key (another key file, or altered)');
    }
  }
}

let processBox: SecretBox | undefined;
