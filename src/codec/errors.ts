/** Malformed bytes or an impossible field value; the message says which field and why. */
export class CodecError extends Error {
  override name = 'CodecError';
}
