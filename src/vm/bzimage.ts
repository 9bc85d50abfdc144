// The x86 boot header of a bzImage/vmlinuz (Documentation/arch/x86/boot.rst): its "HdrS" magic
// and the kernel version string it points to. Pure.

/** True when the bytes start like a bzImage (boot protocol header "HdrS" at 0x202). */
export function isBzImage(head: Uint8Array): boolean {
  return head.length >= 0x206 && Buffer.from(head.subarray(0x202, 0x206)).toString('latin1') === 'HdrS';
}

/**
 * The release (`uname -r`) the image reports, from the string at 0x200 + kernel_version
 * (e.g. "6.12.95+deb12-amd64 (debian-kernel@...) #1 SMP ..."), or undefined if it has none.
 */
export function bzImageRelease(head: Uint8Array): string | undefined {
  if (!isBzImage(head)) return undefined;
  const ptr = head[0x20e]! | (head[0x20f]! << 8);
  if (ptr === 0) return undefined;
  const start = ptr + 0x200;
  if (start >= head.length) return undefined;
  const end = head.indexOf(0, start);
  const text = Buffer.from(head.subarray(start, end < 0 ? Math.min(head.length, start + 256) : end)).toString('latin1');
  const release = text.split(' ')[0];
  return release && /^[0-9][\x21-\x7e]*$/.test(release) ? release : undefined;
}

/** Bytes to read from an image to find its header and version string. */
export const BZIMAGE_HEAD_BYTES = 64 * 1024;
