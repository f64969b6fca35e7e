/** One line of /proc/<pid>/mountinfo, the fields the system collectors use. */
export interface MountInfo {
  /** major:minor of the device; bind mounts of one filesystem share it. */
  readonly device: string;
  readonly root: string;
  readonly mountPoint: string;
  readonly mode: 'rw' | 'ro';
  readonly type: string;
  readonly source: string;
  /** Per-superblock options; for cgroup v1 mounts they name the controllers (`rw,cpu,cpuacct`). */
  readonly superOptions: readonly string[];
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040 …). */
function unescapeOctal(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Parses /proc/<pid>/mountinfo (proc(5)); lines it cannot read are skipped. */
export function parseMountinfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator < 0 || fields.length < separator + 3) continue;
    const options = fields[5]!.split(',');
    mounts.push({
      device: fields[2]!,
      root: unescapeOctal(fields[3]!),
      mountPoint: unescapeOctal(fields[4]!),
      mode: options.includes('ro') ? 'ro' : 'rw',
      type: fields[separator + 1]!,
      source: unescapeOctal(fields[separator + 2]!),
      superOptions: (fields[separator + 3] ?? '').split(','),
    });
  }
  return mounts;
}
