// Test helpers of the VM launcher's tests.

/** A bzImage head: "HdrS" at 0x202, kernel_version at 0x20e pointing (minus 0x200) at the string. */
export function fakeBzImage(version: string | undefined): Buffer {
  const b = Buffer.alloc(0x1000);
  b.write('HdrS', 0x202, 'latin1');
  if (version !== undefined) {
    b.writeUInt16LE(0x400 - 0x200, 0x20e);
    b.write(`${version}\0`, 0x400, 'latin1');
  }
  return b;
}
