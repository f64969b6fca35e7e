import { describe, expect, it } from 'vitest';
import { parseFlatKeyed, resolveCgroupPaths } from '../../../src/system/cgroup.js';
import { parseDiskstats, selectDisks } from '../../../src/system/disk-io.js';
import { selectFilesystems } from '../../../src/system/filesystem.js';
import { cpuUtilization, parseProcStat } from '../../../src/system/host-cpu-memory.js';
import { parseMountinfo } from '../../../src/system/mountinfo.js';
import { isLoopback, parseNetDev } from '../../../src/system/network.js';

describe('/proc/stat', () => {
  const text = [
    'cpu  100 5 50 800 10 3 2 1 7 0',
    'cpu0 50 2 25 400 5 2 1 1 7 0',
    'cpu1 50 3 25 400 5 1 1 0 0 0',
    'intr 12345 0 0',
    'btime 1700000000',
  ].join('\n');

  it('reads the aggregate line into OpenTelemetry cpu modes and counts logical CPUs', () => {
    const stat = parseProcStat(text);
    expect(stat.logicalCpus).toBe(2);
    expect(stat.total).toEqual({
      user: 100,
      nice: 5,
      system: 50,
      idle: 800,
      iowait: 10,
      interrupt: 5,
      steal: 1,
    });
  });

  it('computes each mode as a share of the CPU time that passed; shares sum to 1', () => {
    const before = parseProcStat(text).total;
    const after = { ...before, user: before.user + 30, idle: before.idle + 60, system: before.system + 10 };
    const shares = cpuUtilization(before, after)!;
    expect(shares.user).toBeCloseTo(0.3);
    expect(shares.idle).toBeCloseTo(0.6);
    expect(Object.values(shares).reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(cpuUtilization(before, before)).toBeUndefined();
  });

  it('rejects text without an aggregate line', () => {
    expect(() => parseProcStat('intr 1\n')).toThrow(/cpu/);
  });
});

describe('mountinfo and filesystem selection', () => {
  const mountinfo = [
    '22 27 0:21 / /proc rw,relatime - proc proc rw',
    '24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334460k',
    '25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw',
    '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard',
    '28 27 254:0 /var/lib/docker/containers/abc/hosts /etc/hosts rw,relatime - ext4 /dev/vda rw',
    '29 27 8:17 / /mnt/my\\040data ro,relatime - xfs /dev/sdb1 ro',
    '30 27 7:0 / /snap/core/1 ro - squashfs /dev/loop0 ro',
    '31 23 0:28 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw',
    '32 27 0:40 / /srv/nfs rw - nfs4 server:/export rw,vers=4.2',
  ].join('\n');

  it('parses fields, optional fields and octal escapes', () => {
    const mounts = parseMountinfo(mountinfo);
    expect(mounts).toHaveLength(9);
    expect(mounts[3]).toMatchObject({
      device: '254:0',
      mountPoint: '/',
      type: 'ext4',
      source: '/dev/vda',
      mode: 'rw',
    });
    expect(mounts[5]).toMatchObject({ mountPoint: '/mnt/my data', mode: 'ro', type: 'xfs' });
  });

  it('skips pseudo filesystems and loop images, keeps network filesystems, one mount per device', () => {
    const selected = selectFilesystems(parseMountinfo(mountinfo)).map((m) => m.mountPoint);
    expect(selected).toEqual(['/', '/mnt/my data', '/srv/nfs']);
  });

  it("keeps a container's overlay root but no other overlay mount", () => {
    const container = [
      '100 90 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w',
      '101 100 0:51 / /mnt/inner rw - overlay overlay rw,lowerdir=/x',
      '102 100 254:1 /docker/containers/id/hostname /etc/hostname rw - ext4 /dev/sda1 rw',
    ].join('\n');
    expect(selectFilesystems(parseMountinfo(container)).map((m) => m.mountPoint)).toEqual([
      '/',
      '/etc/hostname',
    ]);
  });
});

describe('/proc/diskstats', () => {
  const text = [
    '   7       0 loop0 10 0 80 1 0 0 0 0 0 1 1 0 0 0 0 0 0',
    ' 254       0 vda 13841 4650 1438202 15124 2478 24257 1716000 6059 0 4896 21401 3378 56 43680 216 6 0',
    ' 254       1 vda1 13000 4000 1400000 15000 2400 24000 1700000 6000 0 4800 21000 0 0 0 0 0 0',
    ' 259       0 nvme0n1 5 0 40 1 5 0 40 1 0 2 2',
    ' 259       1 nvme0n1p1 5 0 40 1 5 0 40 1 0 2 2',
    ' 253       0 zram0 1 0 8 0 0 0 0 0 0 0 0',
  ].join('\n');

  it('reads the counters of each device, including the 11-field format of old kernels', () => {
    const disks = parseDiskstats(text);
    expect(disks).toHaveLength(6);
    expect(disks[1]).toMatchObject({
      device: 'vda',
      readsCompleted: 13841,
      readsMerged: 4650,
      sectorsRead: 1438202,
      readTimeMs: 15124,
      writesCompleted: 2478,
      sectorsWritten: 1716000,
      writeTimeMs: 6059,
      ioTimeMs: 4896,
    });
  });

  it('keeps whole disks only: no partitions, loop or RAM devices', () => {
    const disks = parseDiskstats(text);
    expect(selectDisks(disks, new Set(['vda', 'nvme0n1', 'loop0', 'zram0'])).map((d) => d.device)).toEqual([
      'vda',
      'nvme0n1',
    ]);
    // Without /sys/block the partition names give partitions away.
    expect(selectDisks(disks, undefined).map((d) => d.device)).toEqual(['vda', 'nvme0n1']);
  });
});

describe('/proc/net/dev', () => {
  const text = [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:  286228    1252    0    0    0     0          0         0   286228    1252    0    0    0     0       0          0',
    '  eth0: 301512052    8440    3    4    0     0          0         0   838775    5733    1    2    0     0       0          0',
  ].join('\n');

  it('reads bytes, packets, errors and drops per direction', () => {
    const [lo, eth0] = parseNetDev(text);
    expect(lo!.name).toBe('lo');
    expect(eth0).toEqual({
      name: 'eth0',
      receive: { bytes: 301512052, packets: 8440, errors: 3, dropped: 4 },
      transmit: { bytes: 838775, packets: 5733, errors: 1, dropped: 2 },
    });
    expect(isLoopback('lo')).toBe(true);
    expect(isLoopback('eth0')).toBe(false);
  });
});

describe('cgroup resolution', () => {
  const v2Mounts = parseMountinfo('31 23 0:28 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate');

  it('finds a v2 cgroup inside a cgroup namespace (path /)', () => {
    expect(resolveCgroupPaths('0::/\n', v2Mounts)).toEqual({ version: 2, dir: '/sys/fs/cgroup' });
  });

  it('finds a v2 cgroup on a host or a container without its own namespace', () => {
    expect(resolveCgroupPaths('0::/system.slice/app.service\n', v2Mounts)).toEqual({
      version: 2,
      dir: '/sys/fs/cgroup/system.slice/app.service',
    });
    // Outside our namespace: the mount itself is all that is visible.
    expect(resolveCgroupPaths('0::/../../other\n', v2Mounts)).toEqual({ version: 2, dir: '/sys/fs/cgroup' });
  });

  it('prefers v1 controllers on a hybrid host and joins the path below each mount', () => {
    const mounts = parseMountinfo(
      [
        '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct',
        '35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory',
        '41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw',
      ].join('\n'),
    );
    const procSelfCgroup = ['4:memory:/process_api/abc', '2:cpu,cpuacct:/', '0::/'].join('\n');
    expect(resolveCgroupPaths(procSelfCgroup, mounts)).toEqual({
      version: 1,
      memory: '/sys/fs/cgroup/memory/process_api/abc',
      cpu: '/sys/fs/cgroup/cpu,cpuacct',
      cpuacct: '/sys/fs/cgroup/cpu,cpuacct',
    });
  });

  it('maps a v1 path onto a mount whose root is the container cgroup (Docker without cgroupns)', () => {
    const mounts = parseMountinfo(
      '35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory',
    );
    expect(resolveCgroupPaths('4:memory:/docker/abc\n', mounts)).toMatchObject({
      version: 1,
      memory: '/sys/fs/cgroup/memory',
    });
  });

  it('is undefined without any cgroup mount', () => {
    expect(resolveCgroupPaths('0::/\n', [])).toBeUndefined();
  });

  it('parses flat keyed files', () => {
    expect(parseFlatKeyed('usage_usec 123\nnr_throttled 4\nbad line x\n')).toEqual(
      new Map([
        ['usage_usec', 123],
        ['nr_throttled', 4],
      ]),
    );
  });
});
